"""The refusal model (no reader): what it reads, how it loads, and how the answer stage obeys it."""

import math

import pytest

from qa.answer.reader import Reading, Window
from qa.answer.refusal import FEATURES, RefusalModel, features
from qa.errors import ModelMissing
from qa.settings import Settings
from qa.types import Chunk, Document, Passage

# Test fixture written for these tests, not a real article.
SENTENCES = ["The storm hit the coast on Monday.", "Power failed in 3,000 homes.", "Schools closed early."]


def _reading(margin: float = 2.0, cosine: float = 0.6) -> Reading:
    text = " ".join(SENTENCES)
    spans, start = [], 0
    for sentence in SENTENCES:
        spans.append((start, start + len(sentence)))
        start += len(sentence) + 1
    doc = Document(id="d", text=text, title="Storm")
    passage = Passage(Chunk("d", 0, len(text), text, tuple(spans)), doc, 1.0, dense_score=cosine)
    answer = text.index("3,000")
    return Reading(Window(passage, tuple(spans[:2])), answer, answer + len("3,000"), margin)


def _named(values: tuple[float, ...]) -> dict[str, float]:
    return dict(zip(FEATURES, values, strict=True))


def test_features_are_the_readers_margin_and_the_passages_cosine_to_the_question():
    assert _named(features(_reading(margin=2.5, cosine=0.61))) == {
        "margin": 2.5,
        "cosine": 0.61,
    }


def test_without_a_fitted_model_the_margin_alone_decides():
    model = RefusalModel.margin_only()
    assert model.confidence(_reading(margin=0.0)) == 0.5
    assert model.confidence(_reading(margin=-1.0)) == pytest.approx(1 / (1 + math.e))
    assert model.confidence(_reading(margin=900.0)) == pytest.approx(1.0)


def test_a_fitted_model_round_trips_and_a_missing_one_falls_back(tmp_path):
    assert RefusalModel.load(tmp_path) == RefusalModel.margin_only()
    fitted = RefusalModel((0.15, 2.0), -0.7)
    fitted.save(tmp_path, fitted_on={"fixture": 1})
    assert RefusalModel.load(tmp_path) == fitted


def test_a_broken_model_file_is_a_clear_error_naming_it(tmp_path):
    (tmp_path / "refusal.json").write_text('{"weights": {"margin": 1.0}, "bias": 0}')
    with pytest.raises(ModelMissing, match=r"refusal\.json.*calibrate\.py --fit"):
        RefusalModel.load(tmp_path)


class _FixedReader:
    def __init__(self, reading: Reading) -> None:
        self.reading = reading

    def run(self, question: str, windows: list[Window]) -> list[Reading]:
        return [Reading(w, self.reading.start, self.reading.end, self.reading.margin) for w in windows[:1]]


@pytest.mark.parametrize(("threshold", "answered"), [(0.5, True), (0.95, False)])
def test_the_answer_stage_refuses_below_the_confidence_setting(threshold, answered):
    from qa.answer.answerer import Answerer

    reading = _reading(margin=1.0)
    answerer = Answerer(Settings(min_answer_confidence=threshold))
    answerer.reader = _FixedReader(reading)
    answerer.refusal = RefusalModel.margin_only()
    answer = answerer.run("How many homes lost power?", [reading.window.passage], {})
    assert answer.answered is answered
    assert answer.confidence == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert answered or "0.73 < 0.95" in answer.refusal_reason


def test_a_passage_far_from_the_question_in_meaning_is_refused_by_a_model_that_learned_so():
    from qa.answer.answerer import Answerer

    cosine_matters = RefusalModel(tuple(8.0 if name == "cosine" else 0.0 for name in FEATURES), -3.0)
    answerer = Answerer(Settings(min_answer_confidence=0.5))
    answerer.refusal = cosine_matters
    for cosine, answered in ((0.6, True), (0.2, False)):
        reading = _reading(cosine=cosine)
        answerer.reader = _FixedReader(reading)
        assert answerer.run("How many homes lost power?", [reading.window.passage], {}).answered is answered
