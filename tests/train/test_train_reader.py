"""The reader's training recipe: the windows it is built from, the held-out split, the file that carries
them to another machine, the batches and the checkpoints a run resumes from. Model-free: the rows are a
test fixture written for this file, not article text."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
import examples  # noqa: E402
from examples import Example, held_out, load_examples, make_examples, save_examples, split  # noqa: E402
from resume import Checkpoints, cpu_has_bf16  # noqa: E402
from train_reader import TrainingSet  # noqa: E402

# Test fixture: invented sentences in two paragraphs of one invented article, and one of another.
HARBOUR = (
    "The harbour reopened on Tuesday. Ferries resumed their routes at noon. "
    "The storm had closed it for nine days. Fishermen said the losses were heavy. "
    "The port authority promised repairs."
)
HARBOUR_LATER = "Repairs to the harbour wall began in May. The harbour closed for two days then. Crews worked at night."
MARKET = "The market closed early on Friday. The harbour traders were unhappy. Prices rose."


def _sentences(text: str) -> list[tuple[int, int]]:
    return [m.span(1) for m in re.finditer(r"\s*([^.]+\.)", text)]


@pytest.fixture
def rows(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    import qa.language

    monkeypatch.setattr(qa.language, "sentence_spans", _sentences)  # no spaCy: the fixture splits on full stops
    monkeypatch.setattr(examples, "SAME_PARAGRAPH", 1.0)  # every kind of "no answer" window, every time
    monkeypatch.setattr(examples, "SAME_ARTICLE", 1.0)
    monkeypatch.setattr(examples, "OTHER_ARTICLE", 1.0)
    answer = "nine days"
    return [
        {
            "question": "How long was the harbour closed by the storm?",
            "context": HARBOUR,
            "answers": [{"text": answer, "start": HARBOUR.index(answer)}],
            "group": "Invented harbour",
            "source": "fixture",
        },
        {
            "question": "Who closed the harbour wall?",
            "context": HARBOUR_LATER,
            "answers": [],
            "group": "Invented harbour",
            "source": "fixture",
        },
        {
            "question": "When did the market close?",
            "context": MARKET,
            "answers": [{"text": "on Friday", "start": MARKET.index("on Friday")}],
            "group": "Invented market",
            "source": "fixture",
        },
    ]


def test_an_answerable_question_gives_its_answer_window_and_no_answer_windows_that_lack_it(rows):
    made = [e for e in make_examples(rows, random.Random(1)) if e.question == rows[0]["question"]]

    answering = [e for e in made if e.answer_start is not None]
    assert len(answering) == 1
    window = answering[0]
    assert window.window[window.answer_start : window.answer_start + len("nine days")] == "nine days"
    assert len(window.window.split(". ")) <= 3  # three sentences at most, as the answer stage reads
    negatives = [e for e in made if e.answer_start is None]
    assert len(negatives) == 3  # same paragraph, another paragraph of the article, another article
    assert all("nine days" not in e.window for e in negatives)
    assert any("two days" in e.window for e in negatives)  # the look-alike of the same article
    assert any("market" in e.window for e in negatives)  # another article that shares "closed" and "harbour"


def test_an_unanswerable_question_gives_the_window_of_its_paragraph_most_like_it(rows):
    made = [e for e in make_examples(rows, random.Random(1)) if e.question == rows[1]["question"]]
    assert [(e.answer_start, e.window.startswith("Repairs to the harbour wall")) for e in made] == [(None, True)]


def test_held_out_articles_never_reach_training():
    titles = [f"Article {i}" for i in range(40)]
    windows = [Example("Q?", "W.", None, "", title, "squad20-dev") for title in titles]
    windows += [Example("Q?", "W.", None, "", title, "squad11-train") for title in titles]
    train, dev = split(windows)
    assert {e.group for e in dev} == {t for t in titles if held_out(t)} and 5 < len(dev) < 35
    assert not any(e.source == "squad20-dev" and held_out(e.group) for e in train)
    assert sum(e.source == "squad11-train" for e in train) == 40  # SQuAD train has no dev article to hold out


def test_saved_examples_come_back_in_order_with_their_recipe(tmp_path):
    train = [Example("Who?", "Ana said so.", 0, "Ana", "a", "s"), Example("When?", "No date here.", None, "", "b")]
    dev = [Example("Where?", "In Lima.", 3, "Lima", "c", "squad20-dev")]
    path = tmp_path / "examples.jsonl.gz"
    save_examples(path, train, dev, {"share": 0.5})
    assert load_examples(path) == (train, dev, {"share": 0.5})


def test_batches_cover_every_window_once_grouped_by_length_and_the_same_for_the_same_seed():
    lengths = [random.Random(i).randrange(10, 128) for i in range(500)]
    data = TrainingSet({"input_ids": [[1] * n for n in lengths]}, [0] * 500, [0] * 500, 0)
    batches = data.batch_order(random.Random(3), 32)
    assert sorted(i for batch in batches for i in batch) == list(range(500))
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches) / len(batches)
    assert spread < 30  # random batches of these lengths spread over about 110
    assert batches == data.batch_order(random.Random(3), 32)


def test_a_checkpoint_comes_back_whole_and_a_half_written_one_never_replaces_it(tmp_path, monkeypatch):
    checkpoints = Checkpoints(tmp_path, "abc")
    assert checkpoints.load() is None
    checkpoints.save({"state": {"step": 7}, "model": {"w": torch.ones(2)}})
    assert checkpoints.load()["state"]["step"] == 7

    def broken(state, path):
        path.write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken)
    with pytest.raises(OSError):
        checkpoints.save({"state": {"step": 8}})
    monkeypatch.undo()
    assert checkpoints.load()["state"]["step"] == 7


@pytest.mark.skipif(not Path("/proc/cpuinfo").exists(), reason="reads the CPU's flags from /proc/cpuinfo")
def test_bf16_autocast_is_chosen_only_on_a_cpu_with_avx512():
    """Without AVX-512, autocast emulates bfloat16 at about 25 times float32's cost: train in float32 there."""
    flags = Path("/proc/cpuinfo").read_text().split()
    if cpu_has_bf16():
        assert any(flag.startswith("avx512") or flag.startswith("amx") for flag in flags)
    else:
        assert "avx512_bf16" not in flags and "amx_bf16" not in flags
