"""The reader: a span-extraction model this project trains (train/train_reader.py) that reads a few short
windows of the retrieved passages and scores each answer span against "no answer"."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa import runtime
from qa.pieces import WordPieces
from qa.types import Passage

log = logging.getLogger(__name__)

Logits = Callable[[dict[str, np.ndarray]], tuple[np.ndarray, np.ndarray]]  # encoded windows -> start, end logits

MAX_LENGTH = 128  # the window length the reader was trained on, question included
MAX_QUESTION_TOKENS = 64  # a longer question is cut to this, as in training, so the window always has room
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
    """Scores answer spans in windows; `warm_up()` loads the shipped weights, `run()` reads.

    With `onnx_cache` it reads with ONNX Runtime (the weights exported once into that folder), otherwise
    with torch; both give the same scores. `quantize` reads with int8 weights: faster, but it moves answers."""

    def __init__(self, path: Path, *, threads: int = 1, quantize: bool = False, onnx_cache: Path | None = None) -> None:
        self.path = Path(path)
        self.threads = threads
        self.quantize = quantize
        self.onnx_cache = onnx_cache
        self._logits: Logits | None = None
        self._pieces: WordPieces | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._logits is not None:
                return
            from qa.errors import ModelMissing
            from qa.pieces import WordPieces

            if not (self.path / "model.safetensors").exists():
                raise ModelMissing(
                    f"no reader weights in {self.path}: they ship with newsdesk (models/reader); "
                    "rebuild them with `python train/train_reader.py`"
                )
            self._pieces = WordPieces(self.path)
            if self.onnx_cache is not None:
                try:
                    self._logits = self._onnx_logits()
                    return
                except Exception as error:  # whatever stops the faster path, torch still reads
                    log.warning("reading with torch: ONNX Runtime could not load the reader (%s)", error)
            self._logits = self._torch_logits()

    def _torch_model(self):
        import torch
        from transformers import AutoModelForQuestionAnswering

        return AutoModelForQuestionAnswering.from_pretrained(self.path, dtype=torch.float32).eval()

    def _torch_logits(self) -> Logits:
        import torch

        model = self._torch_model()
        if self.quantize:
            qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
            model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear: qconfig}, dtype=torch.qint8)

        def logits(encoded: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
            previous = torch.get_num_threads()
            torch.set_num_threads(self.threads)
            try:
                with torch.inference_mode():
                    output = model(**{name: torch.from_numpy(value) for name, value in encoded.items()})
            finally:
                torch.set_num_threads(previous)
            return output.start_logits.numpy(), output.end_logits.numpy()

        return logits

    def _onnx_logits(self) -> Logits:
        def build():
            import torch

            sample = self._pieces.encode_pairs(["a question?"], ["a window."], MAX_LENGTH).inputs
            module = runtime.positional(self._torch_model(), lambda output: (output.start_logits, output.end_logits))
            return module, tuple(torch.from_numpy(sample[name]) for name in runtime.INPUTS)

        weights = self.path / "model.safetensors"
        session = runtime.session(
            "reader", weights, build, ("start", "end"), cache=self.onnx_cache, threads=self.threads, int8=self.quantize
        )

        def logits(encoded: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
            starts, ends = session.run(None, {name: encoded[name] for name in runtime.INPUTS})
            return starts, ends

        return logits

    def run(self, question: str, windows: list[Window]) -> list[Reading]:
        """The best span of each window, best margin first."""
        if not windows:
            return []
        self.warm_up()
        encoded = self._pieces.encode_pairs(
            [question_part(self._pieces, question)] * len(windows), [window.text for window in windows], MAX_LENGTH
        )
        offsets = encoded.offsets
        start_logits, end_logits = self._logits(encoded.inputs)
        readings = []
        for row, window in enumerate(windows):
            context = [i for i, sid in enumerate(encoded.sequence_ids[row]) if sid == 1]
            starts, ends = start_logits[row].tolist(), end_logits[row].tolist()
            best = best_span(starts, ends, context)
            if best is None:
                continue
            score, first, last = best
            null = starts[0] + ends[0]
            start, end = offsets[row][first][0] + window.start, offsets[row][last][1] + window.start
            readings.append(Reading(window, start, end, score - null))
        return sorted(readings, key=lambda reading: -reading.margin)


def question_part(pieces: WordPieces, question: str) -> str:
    """`question` as the reader reads it (and was trained on): its first MAX_QUESTION_TOKENS word pieces."""
    return pieces.first(question, MAX_QUESTION_TOKENS)


def best_span(starts: list[float], ends: list[float], context: list[int]) -> tuple[float, int, int] | None:
    """(score, first token, last token) of the best-scoring span of at most MAX_ANSWER_TOKENS tokens."""
    top_starts = sorted(context, key=lambda i: -starts[i])[:TOP_TOKENS]
    top_ends = sorted(context, key=lambda i: -ends[i])[:TOP_TOKENS]
    best = None
    for first in top_starts:
        for last in top_ends:
            if first <= last < first + MAX_ANSWER_TOKENS and (best is None or starts[first] + ends[last] > best[0]):
                best = (starts[first] + ends[last], first, last)
    return best
