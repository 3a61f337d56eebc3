"""Windows chosen by meaning: the coverage arithmetic with made-up vectors (no model), then the distilled
word vectors and the shipped articles' paraphrased questions (model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa.answer.answerer import coverage, select_windows
from qa.answer.meaning import WordVectors
from qa.answer.overlap import content_words, stems
from tests.answer.test_windows import _passage


class _TableVectors(WordVectors):
    """WordVectors over a fixed table of made-up two-dimensional vectors (unknown words point elsewhere)."""

    TABLE = {"killed": (1.0, 0.0), "death": (0.8, 0.6), "city": (0.0, 1.0)}

    def __init__(self) -> None:
        super().__init__(cache=Path("unused"))
        self.floor = 0.5

    def warm_up(self) -> None:
        pass

    def of(self, words):
        return np.array([self.TABLE.get(word, (-0.6, -0.8)) for word in words], dtype=np.float32)


def test_a_word_counts_one_by_its_stem_and_in_part_by_a_neighbour_in_meaning():
    vectors = _TableVectors()
    asked = content_words("How many were killed?")
    texts = ["Ten were killed.", "The death of ten.", "The city of ten."]

    scores = coverage("How many were killed?", texts, vectors)

    assert asked == {"killed": "kill"}
    assert scores[0] == 1.0  # its own word
    assert scores[1] == pytest.approx((0.8 - 0.5) / (1 - 0.5))  # near in meaning: by how far it beats the floor
    assert scores[2] == 0.0  # no nearer than unrelated words
    assert coverage("How many were killed?", texts, None) == [1.0, 0.0, 0.0]  # stems alone


def test_without_meaning_windows_are_chosen_by_stems_as_before():
    passage = _passage()
    by_stems = select_windows("When did the port reopen?", [passage], limit=2)
    assert "The port reopened on Wednesday." in by_stems[0].text
    assert [float(len(stems("When did the port reopen?") & stems(w.text))) for w in by_stems] == coverage(
        "When did the port reopen?", [w.text for w in by_stems]
    )


@pytest.mark.model
def test_distilled_vectors_put_a_paraphrase_nearer_than_an_unrelated_word(shipped_settings):
    vectors = WordVectors(shipped_settings.cache_folder)
    vectors.warm_up()
    killed, death, dead, city, price = vectors.of(["killed", "death", "dead", "city", "price"])

    assert killed @ death > vectors.floor and killed @ dead > vectors.floor
    assert killed @ city < killed @ death and price @ city < vectors.floor
    again = WordVectors(shipped_settings.cache_folder)  # read back from the cache
    assert again.of(["killed"]) == pytest.approx(vectors.of(["killed"]))


@pytest.mark.model
@pytest.mark.parametrize(
    "question",
    ["How many were killed at Qa'im?", "What was the death toll at Qa'im?", "How many were injured at Qa'im?"],
)
def test_the_windows_read_hold_the_casualty_sentence_however_it_is_asked(assistant, question):
    passages = assistant.retriever.run(question)
    windows = select_windows(question, passages, assistant.settings.reader_windows, assistant.answerer.meaning)
    assert any("the death of 16 people and injury of 36 others" in window.text for window in windows)
