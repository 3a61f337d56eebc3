"""Asking with filters on a small corpus of three dated reports of one story (test fixtures, invented)."""

import json

import pytest

from qa.assistant import Assistant

REPORTS = [
    {
        "title": "Floods hit Valdoria",
        "published_at": "2025-03-01",
        "source": "Valdoria Post",
        "text": "Floods in the Valdorian capital killed 12 people on Saturday, the civil protection agency said. "
        "Rescue teams were still searching flooded streets, officials said.",
    },
    {
        "title": "Valdoria flood toll rises",
        "published_at": "2025-03-03",
        "source": "Harbour Herald",
        "text": "The death toll from the floods in the Valdorian capital rose to 19 people, the civil protection "
        "agency said. Thousands of residents remained in shelters, officials said.",
    },
    {
        "title": "Valdoria counts its dead",
        "published_at": "2025-03-05",
        "source": "Valdoria Post",
        "text": "The floods in the Valdorian capital killed 23 people in all, the civil protection agency said on "
        "Wednesday. Schools will reopen next week, the mayor said.",
    },
]
QUESTION = "How many people did the floods in the Valdorian capital kill?"


@pytest.fixture(scope="module")
def reports(tmp_path_factory, encoder):
    folder = tmp_path_factory.mktemp("valdoria")
    (folder / "corpus").mkdir()
    (folder / "corpus" / "reports.jsonl").write_text("\n".join(json.dumps(r) for r in REPORTS) + "\n", "utf-8")
    assistant = Assistant(encoder=encoder, corpus_dir=folder / "corpus", index_dir=folder / "index")
    assistant.warm_up()
    return assistant


def _dates(answer):
    return {c.date for c in answer.citations}


def test_as_of_leaves_out_what_was_published_later(reports):
    answer = reports.run(QUESTION, as_of="2025-03-02")
    assert answer.answered and "12" in answer.short_answer
    assert _dates(answer) == {"2025-03-01"} and all(p.document.date <= "2025-03-02" for p in answer.passages)


def test_a_date_range_keeps_only_articles_inside_it(reports):
    answer = reports.run(QUESTION, since="2025-03-04")
    assert "23" in answer.short_answer and _dates(answer) == {"2025-03-05"}
    assert {p.document.date for p in answer.passages} == {"2025-03-05"}


def test_a_source_filter_keeps_that_outlet(reports):
    answer = reports.run(QUESTION, sources=["harbour herald"])
    assert "19" in answer.short_answer and {p.document.source for p in answer.passages} == {"Harbour Herald"}


def test_filters_that_match_nothing_say_so(reports):
    answer = reports.run(QUESTION, until="2020-01-01")
    assert not answer.answered and answer.passages == []
    assert answer.refusal_reason == "no indexed article matches the filters (published any time to 2020-01-01)"


def test_a_time_in_the_question_is_read_from_the_as_of_day(reports):
    answer = reports.run("How many people did the floods in the Valdorian capital kill yesterday?", as_of="2025-03-04")
    assert "19" in answer.short_answer and _dates(answer) == {"2025-03-03"}
    assert answer.dates_read == "articles published 2025-03-02 to 2025-03-04 (“yesterday”)"


def test_a_time_no_article_falls_in_is_dropped_rather_than_refused(reports):
    answer = reports.run("How many people did the floods in the Valdorian capital kill in 2019?")
    assert answer.answered and answer.dates_read is None and len({p.document.id for p in answer.passages}) == 3


def test_reports_that_disagree_are_listed_newest_first_with_source_and_date(reports):
    answer = reports.run(QUESTION)
    assert answer.text.startswith("The articles give different answers:")
    items = [line for line in answer.text.splitlines() if line.startswith("- ")]
    figures = [next(n for n in ("23", "19", "12") if n in item.split(":")[0]) for item in items]
    assert figures == ["23", "19", "12"]
    assert "(Valdoria Post, 2025-03-05)" in items[0] and "(Harbour Herald, 2025-03-03)" in items[1]
    assert "according to the civil protection agency" in items[0]


def test_a_timeline_cites_one_sentence_per_report_oldest_first(reports):
    from qa.answer.citations import citation_problems

    timeline = reports.timeline("How many people did the floods in the Valdorian capital kill?")
    assert timeline.answer_type == "timeline" and citation_problems(timeline) == []
    assert [c.date for c in timeline.citations] == ["2025-03-01", "2025-03-03", "2025-03-05"]
    assert "killed 12 people" in timeline.citations[0].sentence and "rose to 19" in timeline.citations[1].sentence
    assert [c.date for c in reports.timeline("Valdorian capital floods", as_of="2025-03-04").citations] == [
        "2025-03-01",
        "2025-03-03",
    ]
