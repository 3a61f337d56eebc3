"""The refusal model (no reader): what it measures, how it loads, and how the answer stage obeys it."""

import math

import pytest

from qa.answer.reader import Reading, Window
from qa.answer.refusal import FEATURES, RefusalModel, features
from qa.errors import ModelMissing
from qa.settings import Settings
from qa.types import Chunk, Document, Passage

# Test fixture written for these tests, not a real article.
SENTENCES = ["The storm hit Oldport on Monday.", "Power failed in 3,000 homes.", "Schools closed early."]


def _reading(margin: float = 2.0, cosine: float = 0.6) -> Reading:
    text = " ".join(SENTENCES)
    spans, start = [], 0
    for sentence in SENTENCES:
        spans.append((start, start + len(sentence)))
        start += len(sentence) + 1
    doc = Document(id="d", text=text, title="Storm in Oldport")
    passage = Passage(Chunk("d", 0, len(text), text, tuple(spans)), doc, 1.0, dense_score=cosine)
    answer = text.index("3,000")
    return Reading(Window(passage, tuple(spans[:2])), answer, answer + len("3,000"), margin)


def _named(values: tuple[float, ...]) -> dict[str, float]:
    return dict(zip(FEATURES, values, strict=True))


def test_features_measure_how_much_of_the_question_the_article_covers():
    covered = _named(features("How many homes in Oldport had no power?", _reading(margin=2.5, cosine=0.61)))
    assert covered == {
        "margin": 2.5,
        "cosine": 0.61,
        "names_missing": 0.0,
        "words_missing": pytest.approx(0.0),
        "article_missing": pytest.approx(0.0),
    }
    elsewhere = _named(features("How many homes in Newtown had no power after the flood?", _reading()))
    assert elsewhere["names_missing"] == 1.0  # Newtown is never mentioned
    assert elsewhere["words_missing"] == pytest.approx(2 / 4)  # of homes, power, Newtown and flood
    assert elsewhere["article_missing"] == elsewhere["words_missing"]


def test_without_a_fitted_model_the_margin_alone_decides():
    model = RefusalModel.margin_only()
    assert model.confidence("How many homes lost power?", _reading(margin=0.0)) == 0.5
    assert model.confidence("How many homes lost power?", _reading(margin=-1.0)) == pytest.approx(1 / (1 + math.e))
    assert model.confidence("How many homes lost power?", _reading(margin=900.0)) == pytest.approx(1.0)


def test_a_fitted_model_round_trips_and_a_missing_one_falls_back(tmp_path):
    assert RefusalModel.load(tmp_path) == RefusalModel.margin_only()
    fitted = RefusalModel((0.2, 1.5, -0.4, -0.9, -0.8), -0.7)
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


def test_a_question_about_something_the_article_never_names_is_refused_by_a_model_that_learned_so():
    from qa.answer.answerer import Answerer

    names_matter = RefusalModel(tuple(-6.0 if name == "names_missing" else 0.0 for name in FEATURES), 2.0)
    reading = _reading()
    answerer = Answerer(Settings(min_answer_confidence=0.5))
    answerer.reader = _FixedReader(reading)
    answerer.refusal = names_matter
    assert answerer.run("How many homes lost power in Oldport?", [reading.window.passage], {}).answered
    assert not answerer.run("How many homes lost power in Newtown?", [reading.window.passage], {}).answered
