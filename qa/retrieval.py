"""Hybrid retrieval: dense (MiniLM + FAISS) and keyword (BM25) candidates, fused by a weighted sum."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from qa.encoder import Encoder
from qa.settings import Settings
from qa.store import Index
from qa.types import Passage


def fuse(
    dense: Sequence[tuple[int, float]],
    keyword: Sequence[tuple[int, float]],
    dense_weight: float,
    method: str = "convex",
) -> list[tuple[int, float]]:
    """Rows ranked by `dense_weight * dense + (1 - dense_weight) * keyword`.

    "convex" mixes min-max normalised scores; "rrf" mixes reciprocal ranks (1 / (60 + rank)).
    """
    if method == "rrf":
        d = {row: 1.0 / (60 + rank) for rank, (row, _) in enumerate(dense, 1)}
        k = {row: 1.0 / (60 + rank) for rank, (row, _) in enumerate(keyword, 1)}
    else:
        d, k = _min_max(dense), _min_max(keyword)
    rows = set(d) | set(k)
    scored = [(row, dense_weight * d.get(row, 0.0) + (1 - dense_weight) * k.get(row, 0.0)) for row in rows]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def _min_max(results: Sequence[tuple[int, float]]) -> dict[int, float]:
    if not results:
        return {}
    scores = [score for _, score in results]
    low, high = min(scores), max(scores)
    if high - low < 1e-9:
        return {row: 1.0 for row, _ in results}
    return {row: (score - low) / (high - low) for row, score in results}


class Retriever:
    """Finds the passages most likely to answer a query; `run()` returns them best first."""

    def __init__(self, index: Index, encoder: Encoder, settings: Settings) -> None:
        self.index = index
        self.encoder = encoder
        self.settings = settings

    def run(self, query: str, k: int | None = None, *, mode: str = "hybrid") -> list[Passage]:
        """Top `k` passages; `mode` is "hybrid", "dense" or "keyword" (the last two for baselines)."""
        k = k or self.settings.k
        n = max(self.settings.candidates, k)
        vector = self.encoder.query(query) if mode != "keyword" else None
        dense = self.index.dense.search(vector, n) if vector is not None else []
        keyword = self.index.keyword.search(query, n) if mode != "dense" else []
        weight = {"dense": 1.0, "keyword": 0.0}.get(mode, self.settings.dense_weight)
        fused = fuse(dense, keyword, weight)[:k]
        cosines = self._cosines(vector, [row for row, _ in fused]) if vector is not None else {}
        bm25 = dict(keyword)
        passages = []
        for row, score in fused:
            chunk = self.index.chunks[row]
            passages.append(
                Passage(chunk, self.index.documents[chunk.doc_id], score, cosines.get(row, 0.0), bm25.get(row, 0.0))
            )
        return passages

    def _cosines(self, vector: np.ndarray, rows: list[int]) -> dict[int, float]:
        if not rows:
            return {}
        stored = np.vstack([self.index.dense.vector(row) for row in rows])
        return {row: float(score) for row, score in zip(rows, stored @ vector, strict=True)}
