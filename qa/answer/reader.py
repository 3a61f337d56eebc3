"""The reader: a span-extraction model this project trains (train/train_reader.py) that reads a few short
windows of the retrieved passages and scores each answer span against "no answer"."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from qa.types import Passage

MAX_LENGTH = 128  # the window length the reader was trained on, question included
MAX_ANSWER_TOKENS = 30
TOP_TOKENS = 20  # start and end candidates per window


@dataclass(frozen=True)
class Window:
    """A few consecutive sentences of one retrieved passage; offsets point into the document."""

    passage: Passage
    sentences: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.sentences[0][0]

    @property
    def end(self) -> int:
        return self.sentences[-1][1]

    @property
    def text(self) -> str:
        return self.passage.document.text[self.start : self.end]


@dataclass(frozen=True)
class Reading:
    """The reader's best answer span in one window; `margin` is its score minus the window's no-answer score."""

    window: Window
    start: int
    end: int
    margin: float

    @property
    def text(self) -> str:
        return self.window.passage.document.text[self.start : self.end]

    @property
    def sentence(self) -> tuple[int, int]:
        """The whole sentences of the window that hold the span: what a citation quotes."""
        inside = [(a, b) for a, b in self.window.sentences if a < self.end and b > self.start]
        return (inside[0][0], inside[-1][1]) if inside else (self.window.start, self.window.end)


class Reader:
    """Scores answer spans in windows; `warm_up()` loads the shipped weights, `run()` reads."""

    def __init__(self, path: Path, *, threads: int = 1, quantize: bool = True) -> None:
        self.path = Path(path)
        self.threads = threads
        self.quantize = quantize
        self._model = None
        self._tokenizer = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            import torch
            from transformers import AutoModelForQuestionAnswering, AutoTokenizer

            from qa.errors import ModelMissing

            if not (self.path / "model.safetensors").exists():
                raise ModelMissing(
                    f"no reader weights in {self.path}: they ship with newsdesk (models/reader); "
                    "rebuild them with `python train/train_reader.py`"
                )
            self._tokenizer = AutoTokenizer.from_pretrained(self.path)
            model = AutoModelForQuestionAnswering.from_pretrained(self.path, dtype=torch.float32).eval()
            if self.quantize:
                model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
            self._model = model

    def run(self, question: str, windows: list[Window]) -> list[Reading]:
        """The best span of each window, best margin first."""
        if not windows:
            return []
        self.warm_up()
        import torch

        encoded = self._tokenizer(
            [question] * len(windows),
            [window.text for window in windows],
            truncation="only_second",
            max_length=MAX_LENGTH,
            padding=True,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = encoded.pop("offset_mapping").tolist()
        previous = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            with torch.inference_mode():
                output = self._model(**encoded)
        finally:
            torch.set_num_threads(previous)
        readings = []
        for row, window in enumerate(windows):
            context = [i for i, sid in enumerate(encoded.sequence_ids(row)) if sid == 1]
            best = _best_span(output.start_logits[row].tolist(), output.end_logits[row].tolist(), context)
            if best is None:
                continue
            score, first, last = best
            null = float(output.start_logits[row][0] + output.end_logits[row][0])
            start, end = offsets[row][first][0] + window.start, offsets[row][last][1] + window.start
            readings.append(Reading(window, start, end, score - null))
        return sorted(readings, key=lambda reading: -reading.margin)


def _best_span(starts: list[float], ends: list[float], context: list[int]) -> tuple[float, int, int] | None:
    """(score, first token, last token) of the best-scoring span of at most MAX_ANSWER_TOKENS tokens."""
    top_starts = sorted(context, key=lambda i: -starts[i])[:TOP_TOKENS]
    top_ends = sorted(context, key=lambda i: -ends[i])[:TOP_TOKENS]
    best = None
    for first in top_starts:
        for last in top_ends:
            if first <= last < first + MAX_ANSWER_TOKENS and (best is None or starts[first] + ends[last] > best[0]):
                best = (starts[first] + ends[last], first, last)
    return best
