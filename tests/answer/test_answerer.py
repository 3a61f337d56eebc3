from conftest import QAIM

from qa.answer.citations import citation_problems


def test_direct_short_answer_with_attribution_and_its_citation_first(assistant):
    answer = assistant.run("How many targets did CENTCOM say US forces struck?")
    assert answer.answered and answer.short_answer in ("85", "more than 85")
    assert answer.text.startswith(f"**{answer.short_answer}**, according to US Central Command")
    first = answer.citations[0]
    assert first.doc_id == next(d.id for d in assistant.index.documents.values() if d.path.endswith(QAIM))
    assert "85" in first.sentence and first.date == "2024-02-03" and first.source == "Press TV"
    assert first.sentence[first.answer_start - first.sentence_start :].startswith(answer.short_answer)
    assert citation_problems(answer) == []


def test_aircraft_question_cites_the_2021_article_which_has_no_date(assistant):
    answer = assistant.run("Which aircraft struck Abu Kamal?")
    assert "F-15E" in answer.short_answer
    assert answer.citations[0].title.startswith("Iraqi resistance groups condemn")
    assert answer.citations[0].date is None and answer.citations[0].source is None


def test_attribution_is_kept(assistant):
    answer = assistant.run("How many people were killed and injured at Abu Kamal?")
    assert "30" in answer.short_answer
    assert "al-Asadi" in answer.text.split("[1]")[0]


def test_unanswerable_questions_are_refused_with_related_passages(assistant):
    for question in ("What is the population of Qa'im?", "Who won the 2022 World Cup?"):
        answer = assistant.run(question)
        assert not answer.answered, question
        assert answer.text.startswith("The articles don't say")
        assert answer.citations == [] and answer.related and answer.refusal_reason


def test_every_sentence_answer_cites_an_exact_sentence(assistant):
    answer = assistant.run("What did the Iraqi parliament vote for after the assassination?")
    assert answer.answered and "expulsion of all foreign forces" in answer.short_answer
    for citation in answer.citations:
        doc = assistant.index.documents[citation.doc_id]
        assert doc.text[citation.sentence_start : citation.sentence_end] == citation.sentence
