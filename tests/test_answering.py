from conftest import QAIM

from qa.citations import citation_problems


def test_direct_short_answer_with_its_citation_first(assistant):
    answer = assistant.run("How many were killed at Qa'im?")
    assert answer.answered and answer.short_answer == "16"
    assert answer.text.startswith("**16**")
    first = answer.citations[0]
    assert first.doc_id == next(d.id for d in assistant.index.documents.values() if d.path.endswith(QAIM))
    assert "16" in first.sentence and first.date == "2024-02-03" and first.source == "Press TV"
    assert citation_problems(answer) == []


def test_aircraft_question_cites_the_2021_article(assistant):
    answer = assistant.run("Which aircraft struck Abu Kamal?")
    assert "F-15E" in answer.short_answer
    assert answer.citations[0].title.startswith("Iraqi resistance groups condemn")
    assert answer.citations[0].date == "2021-02-27"


def test_the_injured_figure_is_not_the_killed_figure(assistant):
    assert assistant.run("How many people were wounded at al-Qa'im?").short_answer == "36"


def test_attribution_is_kept(assistant):
    answer = assistant.run("How many people were killed and injured at Abu Kamal?")
    assert "30" in answer.short_answer
    assert "according to local sources" in answer.text


def test_different_figures_are_shown_with_their_dates_when_the_event_is_not_pinned(assistant):
    answer = assistant.run("How many people were killed?")
    assert "different answers" in answer.text
    assert "2024-02-03" in answer.text and "2021-02-27" in answer.text
    assert len(answer.citations) == 2 and citation_problems(answer) == []


def test_unanswerable_questions_are_refused_with_related_passages(assistant):
    for question in ("What is the population of Qa'im?", "Who won the 2022 World Cup?"):
        answer = assistant.run(question)
        assert not answer.answered, question
        assert answer.text.startswith("The articles don't say")
        assert answer.citations == [] and answer.related


def test_every_sentence_answer_cites_an_exact_sentence(assistant):
    answer = assistant.run("What did the Iraqi parliament vote for?")
    assert answer.answered and answer.short_answer is None
    for citation in answer.citations:
        doc = assistant.index.documents[citation.doc_id]
        assert doc.text[citation.sentence_start : citation.sentence_end] == citation.sentence


def test_a_sentence_without_a_verb_does_not_hang_extraction(assistant):
    from qa.grammar import attachment, distance
    from qa.language import pipeline

    doc = pipeline("entities")("Casualties: 16 dead, 36 wounded. Two sentences here.")
    assert all(isinstance(attachment(token), set) for token in doc)
    assert all(distance(doc, 0, 1, anchor.i) >= 0 for anchor in doc)
