"""What a build did and what it added, as the CLI, the UI and the manifest report it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from qa.ingest.loaders import LoadProblem, file_of
from qa.ingest.rejects import Rejected
from qa.types import Chunk


@dataclass
class BuildReport:
    """What a build did, for the CLI summary and the UI."""

    documents: int = 0
    chunks: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded_chunks: int = 0
    embed_seconds: float = 0.0
    seconds: float = 0.0
    rebuilt: bool = False
    reason: str = ""
    problems: list[LoadProblem] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)
    leftovers: list[str] = field(default_factory=list)
    stored: list[Path] = field(default_factory=list)  # files an upload copied into the corpus folder
    stages: dict[str, float] = field(default_factory=dict)  # seconds per step: reading, splitting, embedding...

    @property
    def chunks_per_second(self) -> float:
        """Chunks embedded per second of the embedding stage (the model's load not counted)."""
        return self.embedded_chunks / self.embed_seconds if self.embed_seconds else 0.0

    def timing(self) -> dict[str, float]:
        """How long the build took and how much it embedded, as the manifest records it."""
        return {
            "seconds": round(self.seconds, 2),
            "embedded_chunks": self.embedded_chunks,
            "embed_seconds": round(self.embed_seconds, 2),
            "stages": {stage: round(seconds, 2) for stage, seconds in self.stages.items()},
        }

    def narrowed_to(self, stored: list[Path], problems: list[LoadProblem]) -> BuildReport:
        """This report telling what an upload did to its own files (`stored`, and the `problems` of storing
        them), not what the rest of the corpus did: one visitor never sees another's file names."""
        mine = {path.resolve() for path in stored}
        self.problems = problems + [p for p in self.problems if _resolved(p.path) in mine]
        self.duplicates = {key: kept for key, kept in self.duplicates.items() if _resolved(file_of(key)) in mine}
        return self

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a step of the build into `stages`."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - started


@dataclass
class FreshChunks:
    """What a build adds: the chunks of each newly split article, their vectors in that order, and the
    articles that could not be split."""

    chunks: dict[str, list[Chunk]] = field(default_factory=dict)
    vectors: np.ndarray | None = None  # None when nothing was embedded
    failed: list[LoadProblem] = field(default_factory=list)


def _resolved(path: str) -> Path | None:
    try:
        return Path(path).resolve()
    except (OSError, ValueError):
        return None
