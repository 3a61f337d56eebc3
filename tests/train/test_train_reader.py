"""The reader's training recipe: the windows it is built from, the file that carries them to another machine,
and the distillation from an ensemble of teachers. Model-free: the rows are a test fixture written for this
file, not article text, and the logits are made-up numbers."""

from __future__ import annotations

import random
import re
import sys

import pytest

from qa.settings import PROJECT_ROOT

torch = pytest.importorskip("torch")
sys.path.insert(0, str(PROJECT_ROOT / "train"))
import train_reader  # noqa: E402
from train_reader import (  # noqa: E402
    Example,
    TrainingSet,
    batches,
    distillation_loss,
    load_examples,
    make_examples,
    save_examples,
)

# Test fixture: five invented sentences, one paragraph of an invented article.
CONTEXT = (
    "The harbour reopened on Tuesday. Ferries resumed their routes at noon. "
    "The storm had closed it for nine days. Fishermen said the losses were heavy. "
    "The port authority promised repairs."
)
ANSWER = "nine days"


def _sentences(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"[^.]+\.", text)]


@pytest.fixture
def rows(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    import qa.language

    monkeypatch.setattr(qa.language, "sentence_spans", _sentences)  # no spaCy: the fixture splits on full stops
    question = "How long was the harbour closed?"
    return [
        {
            "question": question,
            "context": CONTEXT,
            "answers": [{"text": ANSWER, "start": CONTEXT.index(ANSWER)}],
            "group": "Invented harbour",
        }
    ]


def test_every_placement_gives_one_window_per_place_of_the_answer_sentence(rows: list[dict]) -> None:
    answered = [e for e in make_examples(rows, random.Random(1), every_placement=True) if e.answer_start is not None]

    assert len(answered) == 3  # the answer's sentence last, in the middle and first of a three-sentence window
    assert len({e.window for e in answered}) == 3
    for example in answered:
        assert example.window[example.answer_start : example.answer_start + len(ANSWER)] == ANSWER
    one = [e for e in make_examples(rows, random.Random(1)) if e.answer_start is not None]
    assert len(one) == 1 and one[0].window in {e.window for e in answered}


def test_saved_examples_come_back_in_order_with_their_recipe_and_the_generator_where_it_was(tmp_path) -> None:
    train = [Example("Who?", "Ana said so.", 0, "Ana", "a"), Example("When?", "No date here.", None, "", "b")]
    dev = [Example("Where?", "In Lima.", 3, "Lima", "c")]
    rng = random.Random(7)
    rng.random()
    path = tmp_path / "examples.jsonl.gz"

    save_examples(path, train, dev, rng, {"every_placement": True})
    expected = [rng.random() for _ in range(3)]
    fresh = random.Random(0)
    loaded_train, loaded_dev, recipe = load_examples(path, fresh)

    assert (loaded_train, loaded_dev, recipe) == (train, dev, {"every_placement": True})
    assert [fresh.random() for _ in range(3)] == expected  # training from the file draws the same batches


def test_distillation_loss_is_zero_only_when_the_student_matches_its_teachers() -> None:
    teacher = torch.tensor([[2.0, 0.5, -1.0, -1e4]])  # the last position is padding

    same = distillation_loss(teacher.clone(), teacher, temperature=2.0)
    other = distillation_loss(torch.tensor([[-1.0, 0.5, 2.0, 0.0]]), teacher, temperature=2.0)

    assert same.item() == pytest.approx(0.0, abs=1e-6)
    assert other.item() > 0.1


def test_batches_pad_teacher_logits_so_padding_gets_no_probability() -> None:
    enc = {
        "input_ids": [[101, 7, 102], [101, 7, 8, 9, 102]],
        "attention_mask": [[1, 1, 1], [1, 1, 1, 1, 1]],
        "token_type_ids": [[0, 0, 1], [0, 0, 1, 1, 1]],
    }
    soft = [([0.0, 1.0, 2.0], [0.0, 2.0, 1.0]), ([0.0] * 5, [1.0] * 5)]

    (inputs, _, _, soft_starts, soft_ends) = next(batches(TrainingSet(enc, [0, 3], [0, 3], 0, soft), [0, 1], 2))

    ids, mask = inputs["input_ids"], inputs["attention_mask"]
    assert ids.shape == mask.shape == soft_starts.shape == soft_ends.shape == (2, 5)
    assert torch.softmax(soft_starts[0], -1)[3:].sum().item() == pytest.approx(0.0, abs=1e-9)
    plain = next(batches(TrainingSet(enc, [0, 3], [0, 3], 0), [0, 1], 2))
    assert plain[3] is None and plain[4] is None


def test_teacher_logits_are_the_mean_of_the_teachers_cut_to_each_window() -> None:
    class Fixed(torch.nn.Module):
        """A stand-in teacher whose start logits are a constant and end logits the negated constant."""

        def __init__(self, value: float) -> None:
            super().__init__()
            self.value = torch.nn.Parameter(torch.tensor(value))

        def forward(self, input_ids, attention_mask, token_type_ids):
            logits = torch.full(input_ids.shape, float(self.value))
            return type("Out", (), {"start_logits": logits, "end_logits": -logits})()

    enc = {
        "input_ids": [[101, 102], [101, 5, 6, 102]],
        "attention_mask": [[1, 1], [1] * 4],
        "token_type_ids": [[0, 0], [0] * 4],
    }

    soft = train_reader.teacher_logits([Fixed(1.0), Fixed(3.0)], enc, pad_id=0)

    assert soft == [([2.0, 2.0], [-2.0, -2.0]), ([2.0] * 4, [-2.0] * 4)]
