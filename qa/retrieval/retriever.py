"""Hybrid retrieval: dense (MiniLM + FAISS) and keyword (BM25) candidates, fused into passages."""

from __future__ import annotations

from datetime import date

from qa.index.encoder import Encoder
from qa.index.store import Index
from qa.retrieval.filters import Filters
from qa.retrieval.fusion import fuse
from qa.settings import RetrievalMode, Settings
from qa.types import Passage


class Retriever:
    """Finds the passages most likely to answer a query; `run()` returns them best first."""

    def __init__(self, index: Index, encoder: Encoder, settings: Settings) -> None:
        self.index = index
        self.encoder = encoder
        self.settings = settings

    def run(
        self,
        query: str,
        k: int | None = None,
        *,
        mode: RetrievalMode | str = "hybrid",
        filters: Filters | None = None,
        today: date | None = None,
    ) -> list[Passage]:
        """Top `k` passages among the articles `filters` allow; `mode` is hybrid, dense or keyword (baselines).
        With `today`, newer articles gain up to `recency_weight` (halved every `recency_half_life` days)."""
        mode = RetrievalMode(mode)
        k = k or self.settings.k
        n = max(self.settings.candidates, k)
        rows = filters.rows(self.index.chunks, self.index.documents) if filters and filters.active else None
        if rows is not None and len(rows) == 0:
            return []
        dense = self.index.dense.search(self.encoder.query(query), n, rows) if mode != RetrievalMode.KEYWORD else []
        keyword = self.index.keyword.search(query, n, rows) if mode != RetrievalMode.DENSE else []
        weight = {RetrievalMode.DENSE: 1.0, RetrievalMode.KEYWORD: 0.0}.get(mode, self.settings.dense_weight)
        cosine, bm25 = dict(dense), dict(keyword)
        passages = []
        ranked = fuse(dense, keyword, weight)
        if today and self.settings.recency_weight:
            ranked = self._with_recency(ranked, today)
        for row, score in ranked[:k]:
            chunk = self.index.chunks[row]
            document = self.index.documents[chunk.doc_id]
            passages.append(Passage(chunk, document, score, cosine.get(row, 0.0), bm25.get(row, 0.0)))
        return passages

    def _with_recency(self, ranked: list[tuple[int, float]], today: date) -> list[tuple[int, float]]:
        """Each candidate gains `recency_weight`, halved every `recency_half_life` days of age; an undated
        article gains the mean of the dated candidates' gains (its age is unknown, not old)."""
        weight, half_life = self.settings.recency_weight, self.settings.recency_half_life
        gains: dict[int, float | None] = {}
        for row, _ in ranked:
            published = self.index.documents[self.index.chunks[row].doc_id].date
            age = max(0, (today - date.fromisoformat(published)).days) if published else None
            gains[row] = None if age is None else weight * 0.5 ** (age / half_life)
        known = [gain for gain in gains.values() if gain is not None]
        unknown = sum(known) / len(known) if known else 0.0
        rescored = [(row, score + (unknown if gains[row] is None else gains[row])) for row, score in ranked]
        return sorted(rescored, key=lambda item: (-item[1], item[0]))
