"""The cloze questions the reader's training makes from news: well-formed questions, an answer window
that restates the fact elsewhere in the article (never the question's own sentence), and an honest
"no answer" window. Model-free: the sentences are a test fixture written for this file, not article text."""

from __future__ import annotations

import random

from cloze import _answer_window, _content, _negative_window, _question

# Test fixture: six invented sentences, laid end to end as an article's text.
SENTENCES = [
    "The city council approved a new budget on Monday.",
    "Mayor Ana Ruiz said the budget adds money for road repairs.",
    "Critics said the plan raises parking fees.",
    "Ana Ruiz defended the road repairs budget at a press conference.",
    "The vote was seven to two.",
    "Road repairs will start in the spring, the council said.",
]


def _article() -> tuple[str, list[tuple[int, int]]]:
    text, spans = "", []
    for sentence in SENTENCES:
        start = len(text)
        text += sentence + " "
        spans.append((start, start + len(sentence)))
    return text, spans


def test_question_replaces_the_entity_with_its_question_word() -> None:
    sentence = SENTENCES[1]
    start = sentence.index("Ana Ruiz")
    question = _question(sentence, start, start + len("Ana Ruiz"), "PERSON")
    assert question == "Mayor who said the budget adds money for road repairs?"


def test_question_refuses_labels_without_a_question_word_and_possessives() -> None:
    sentence = "Ruiz's office said the budget adds money for road repairs."
    assert _question(sentence, 0, 4, "PERSON") is None  # "who's office" is not a question
    assert _question(SENTENCES[1], 0, 5, "ORDINAL") is None


def test_answer_window_restates_the_fact_without_the_question_sentence() -> None:
    text, spans = _article()
    words = [_content(s) for s in SENTENCES]
    asked = words[1] - _content("Ana Ruiz")
    for seed in range(10):
        lo, hi, offset = _answer_window(spans, SENTENCES, words, 1, "Ana Ruiz", asked, 2, random.Random(seed))
        window = text[lo:hi]
        assert window[offset : offset + len("Ana Ruiz")] == "Ana Ruiz"
        assert SENTENCES[1] not in window and SENTENCES[3] in window


def test_no_answer_window_never_names_the_answer() -> None:
    text, spans = _article()
    words = [_content(s) for s in SENTENCES]
    asked = words[1] - _content("Ana Ruiz")
    lo, hi = _negative_window(spans, SENTENCES, words, 1, "Ana Ruiz", asked, 2)
    window = text[lo:hi]
    assert "Ana Ruiz" not in window and SENTENCES[1] not in window
    assert window == " ".join(SENTENCES[4:6])  # the one window without her or the question's sentence


def test_entities_that_only_modify_a_longer_name_are_not_answers() -> None:
    from cloze import _well_formed

    from qa.language import pipeline

    # Test fixture: an invented sentence. "Iraqi" modifies "province" and "Biden" the administration:
    # answers cut from longer phrases teach the reader to cut its answers short.
    doc = pipeline("parse")("The Biden administration said the western Iraqi province of Anbar was hit on Sunday.")
    verdicts = {entity.text: _well_formed(entity) for entity in doc.ents}
    assert verdicts.get("Anbar") is True and verdicts.get("Sunday") is True
    assert verdicts.get("Iraqi") is False and verdicts.get("Biden") is False
