"""Hybrid retrieval: dense (MiniLM + FAISS) and keyword (BM25) candidates, fused into passages."""

from __future__ import annotations

from datetime import date

from qa.filters import Filters
from qa.index.backend import Key, SearchIndex
from qa.index.encoder import Encoder
from qa.retrieval.fusion import fuse
from qa.settings import RetrievalMode, Settings
from qa.types import Passage


class Retriever:
    """Finds the passages most likely to answer a query; `run()` returns them best first."""

    def __init__(self, index: SearchIndex, encoder: Encoder, settings: Settings) -> None:
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
        index = self.index
        dense = index.search_dense(self.encoder.query(query), n, filters) if mode != RetrievalMode.KEYWORD else []
        keyword = index.search_keyword(query, n, filters) if mode != RetrievalMode.DENSE else []
        weight = {RetrievalMode.DENSE: 1.0, RetrievalMode.KEYWORD: 0.0}.get(mode, self.settings.dense_weight)
        cosine, bm25 = dict(dense), dict(keyword)
        ranked = fuse(dense, keyword, weight)
        if today and self.settings.recency_weight:
            ranked = self._with_recency(ranked, today)
        parts = index.passage_parts([key for key, _ in ranked[:k]])
        return [
            Passage(*parts[key], score, cosine.get(key, 0.0), bm25.get(key, 0.0))
            for key, score in ranked[:k]
            if key in parts  # a backend may drop a chunk whose article was deleted meanwhile
        ]

    def _with_recency(self, ranked: list[tuple[Key, float]], today: date) -> list[tuple[Key, float]]:
        """Each candidate gains `recency_weight`, halved every `recency_half_life` days of age; an undated
        article gains the mean of the dated candidates' gains (its age is unknown, not old)."""
        weight, half_life = self.settings.recency_weight, self.settings.recency_half_life
        gains: dict[Key, float | None] = {}
        dates = self.index.published([key for key, _ in ranked])
        for key, _ in ranked:
            published = dates.get(key)
            age = max(0, (today - date.fromisoformat(published)).days) if published else None
            gains[key] = None if age is None else weight * 0.5 ** (age / half_life)
        known = [gain for gain in gains.values() if gain is not None]
        unknown = sum(known) / len(known) if known else 0.0
        rescored = [(key, score + (unknown if gains[key] is None else gains[key])) for key, score in ranked]
        return sorted(rescored, key=lambda item: (-item[1], item[0]))
