"""The answer stage: choose a few short windows of the retrieved passages, let the reader find the answer
span in each, let the refusal model judge whether any answers the question, then cite the sentence that
holds the answer."""

from __future__ import annotations

import math
import time

from qa.answer.citations import CitationList
from qa.answer.compose import REFUSAL, disagreement_text, short_answer_text
from qa.answer.meaning import WordVectors
from qa.answer.overlap import content_words, names_mentioned, stems
from qa.answer.reader import Reader, Reading, Window
from qa.answer.refusal import RefusalModel
from qa.language import pipeline
from qa.normalise import is_figure, normalise_answer
from qa.settings import Settings
from qa.types import Answer, Passage

WINDOW_SENTENCES = 3  # a sentence with its neighbours, as the reader was trained


class Answerer:
    """Turns retrieved passages into an Answer with exact citations; `run()` does the work."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.reader = Reader(
            settings.reader_dir,
            threads=settings.query_threads,
            quantize=settings.reader_int8,
            onnx_cache=settings.cache_folder if settings.runtime == "onnx" else None,
        )
        self.refusal: RefusalModel | None = None
        self.meaning = WordVectors(settings.cache_folder) if settings.window_meaning else None

    def warm_up(self) -> None:
        self.reader.warm_up()
        if self.meaning is not None:
            self.meaning.warm_up()
        self.refusal = RefusalModel.load(self.settings.reader_dir)

    def warm_up_language(self) -> None:
        """Load spaCy, which reads dates and names in questions, before the first question that needs it."""
        pipeline("entities")

    def run(self, question: str, passages: list[Passage], timings: dict[str, float]) -> Answer:
        windows = self.windows(question, passages, timings)
        if windows is None:
            return _refusal(question, passages, "no window shares a content word with the question")
        first, spare = windows[: self.settings.reader_windows], windows[self.settings.reader_windows :]
        readings = self._timed(timings, "reading", self.read, question, first)
        threshold = self.settings.min_answer_confidence
        confidence = {id(reading): self.confidence(reading) for reading in readings}
        if spare and not any(value >= threshold for value in confidence.values()):
            more = self._timed(timings, "reading_more", self.reader.run, question, spare)
            confidence.update({id(reading): self.confidence(reading) for reading in more})
            readings += more
        if not readings:
            return _refusal(question, passages, "the reader found no answer span in any window")
        answering = self.ranked([reading for reading in readings if confidence[id(reading)] >= threshold])
        if not answering:
            best = max(confidence.values())
            reason = f"no reading is likely enough to answer it (confidence {best:.2f} < {threshold:.2f})"
            return _refusal(question, passages, reason, best)
        best = answering[0]
        citations = CitationList()
        competing = competing_readings(question, answering, self.settings.sure_margin)
        text = disagreement_text(competing, citations) if len(competing) > 1 else short_answer_text(best, citations)
        return Answer(
            question=question,
            text=text,
            answered=True,
            citations=citations.citations,
            passages=passages,
            short_answer=best.text,
            answer_type="figure" if is_figure(best.text) else "span",
            confidence=confidence[id(best)],
        )

    def windows(
        self, question: str, passages: list[Passage], timings: dict[str, float] | None = None
    ) -> list[Window] | None:
        """The windows worth reading, best first: `reader_windows` read first, then up to `more_windows` read
        when none of those answers; None when no window shares a content word with the question."""
        windows = self._timed(
            {} if timings is None else timings,
            "windows",
            select_windows,
            question,
            passages,
            self.settings.reader_windows + self.settings.more_windows,
            self.meaning,
        )
        if not any(stems(question) & stems(window.text) for window in windows[: self.settings.reader_windows]):
            return None
        return windows

    def readings(self, question: str, passages: list[Passage]) -> list[Reading] | None:
        """Every reading `run()` may make for `question`, the second stage's windows read too (for measuring
        refusal: `run()` answers when any of these reaches `min_answer_confidence`); None as for `windows()`."""
        windows = self.windows(question, passages)
        if windows is None:
            return None
        first = self.read(question, windows[: self.settings.reader_windows])
        return first + self.reader.run(question, windows[self.settings.reader_windows :])

    @staticmethod
    def _timed(timings: dict[str, float], stage: str, work, *args):
        started = time.perf_counter()
        result = work(*args)
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started
        return result

    def confidence(self, reading: Reading) -> float:
        """How likely `reading` answers its question (the refusal model's probability, 0 to 1)."""
        if self.refusal is None:
            self.refusal = RefusalModel.load(self.settings.reader_dir)
        return self.refusal.confidence(reading)

    def ranked(self, readings: list[Reading]) -> list[Reading]:
        """`readings` best first: the reader's margin plus `retrieval_weight` times the passage's retrieval score."""
        weight = self.settings.retrieval_weight
        return sorted(readings, key=lambda reading: -(reading.margin + weight * reading.window.passage.score))

    def read(self, question: str, windows: list[Window]) -> list[Reading]:
        """The readings of `windows`, best margin first. The best-matching window is read alone first and
        the others only when its answer does not settle the question: most questions then cost one window."""
        if len(windows) < 2 or math.isinf(self.settings.sure_margin):
            return self.reader.run(question, windows)
        first = self.reader.run(question, windows[:1])
        if first and settles(first[0], windows, self.settings.sure_margin):
            return first
        return sorted(first + self.reader.run(question, windows[1:]), key=lambda reading: -reading.margin)


def settles(reading: Reading, windows: list[Window], sure_margin: float) -> bool:
    """Whether the first window's answer ends the reading of `windows`: it clears `sure_margin` and, when it
    is a figure, no window comes from another article (which might report a different figure, and differing
    figures are shown side by side)."""
    if reading.margin < sure_margin:
        return False
    document = reading.window.passage.document.id
    return not is_figure(reading.text) or all(window.passage.document.id == document for window in windows)


def _refusal(question: str, passages: list[Passage], reason: str, confidence: float = 0.0) -> Answer:
    return Answer(
        question=question,
        text=REFUSAL,
        answered=False,
        passages=passages,
        related=passages,
        confidence=confidence,
        refusal_reason=reason,
    )


def select_windows(
    question: str, passages: list[Passage], limit: int, meaning: WordVectors | None = None
) -> list[Window]:
    """The `limit` windows that cover the most of the question, counting also the question's names that
    their article mentions anywhere (retrieval rank breaks ties); windows step by one sentence less than
    their size, so every sentence has a neighbour. A question word counts when the window holds its stem
    or, with `meaning`, a word near it in meaning ("killed" and "death"), by how near; without, only stems."""
    names = stems(question, names_only=True)
    step = max(1, WINDOW_SENTENCES - 1)
    candidates: dict[tuple[str, int], tuple[int, Window]] = {}
    for rank, passage in enumerate(passages):
        sentences = passage.chunk.sentences
        for first in range(0, max(1, len(sentences) - 1), step):
            window = Window(passage, tuple(sentences[first : first + WINDOW_SENTENCES]))
            candidates.setdefault((passage.document.id, window.start), (rank, window))
    ranked_windows = [window for _, window in candidates.values()]
    covered = coverage(question, [window.text for window in ranked_windows], meaning)
    named = {}
    scored = []
    for (rank, window), overlap in zip(candidates.values(), covered, strict=True):
        document = window.passage.document
        if document.id not in named:
            named[document.id] = names_mentioned(names, document)
        scored.append((overlap + named[document.id], -rank, window))
    scored.sort(key=lambda item: (-item[0], -item[1], item[2].start))
    return [window for _, _, window in scored[:limit]]


def coverage(question: str, texts: list[str], meaning: WordVectors | None = None) -> list[float]:
    """How much of the question each text covers: its stems, or with `meaning` its words by meaning too."""
    if meaning is None:
        asked = stems(question)
        return [float(len(asked & stems(text))) for text in texts]
    return meaning.coverage(content_words(question), texts, [stems(text) for text in texts])


def competing_readings(question: str, readings: list[Reading], sure_margin: float) -> list[Reading]:
    """One figure per article when the reader is sure of different figures in different articles and the
    question does not name which article's event it means; otherwise only the best reading."""
    best = readings[0]
    if not is_figure(best.text):
        return [best]
    per_document: dict[str, Reading] = {}
    for reading in readings:
        if (reading is best or reading.margin >= sure_margin) and is_figure(reading.text):
            per_document.setdefault(reading.window.passage.document.id, reading)
    candidates = _pinned(question, list(per_document.values()))
    if len({normalise_answer(reading.text) for reading in candidates}) <= 1:
        return [best]
    return candidates


def _pinned(question: str, readings: list[Reading]) -> list[Reading]:
    """The readings whose articles mention the most of the question's names (its capitalised words)."""
    names = stems(question, names_only=True)
    if not names:
        return readings
    mentioned = {id(reading): names_mentioned(names, reading.window.passage.document) for reading in readings}
    most = max(mentioned.values())
    return [reading for reading in readings if mentioned[id(reading)] == most]
