"""BM25 keyword search over chunks (bm25s), with English stemming and apostrophes folded ("Qa'im" = "Qaim")."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from qa.normalise import fold_apostrophes, stemmer

if TYPE_CHECKING:
    import bm25s


def normalise(text: str) -> str:
    """Lower case with apostrophes folded: how BM25 and term matching see words."""
    return fold_apostrophes(text.lower())


class KeywordIndex:
    """Ranks chunk rows by BM25 for a query; rows are positions in the chunk store."""

    def __init__(self, retriever: bm25s.BM25 | None = None) -> None:
        self._retriever = retriever
        self._stem = stemmer()

    @classmethod
    def build(cls, texts: list[str]) -> KeywordIndex:
        import bm25s

        retriever = bm25s.BM25()
        if texts:
            tokens = bm25s.tokenize(
                [normalise(t) for t in texts], stopwords="en", stemmer=stemmer(), show_progress=False
            )
            retriever.index(tokens, show_progress=False)
        return cls(retriever)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), show_progress=False))

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder), show_progress=False)

    @property
    def size(self) -> int:
        scores = getattr(self._retriever, "scores", None) or {}
        return int(scores.get("num_docs", 0))

    def terms(self, text: str) -> list[str]:
        """The stemmed, stopword-free terms BM25 sees in `text`."""
        import bm25s

        tokens = bm25s.tokenize(
            [normalise(text)], stopwords="en", stemmer=self._stem, return_ids=False, show_progress=False
        )
        return tokens[0]

    def terms_of(self, texts: list[str]) -> list[list[str]]:
        """The terms of many texts at once (what the Milvus backend stores for its BM25 field)."""
        import bm25s

        if not texts:
            return []
        return bm25s.tokenize(
            [normalise(t) for t in texts], stopwords="en", stemmer=self._stem, return_ids=False, show_progress=False
        )

    def search(self, query: str, n: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to `n` (row, score) pairs, best first; rows with score 0 are left out; only among `rows` when
        given (masked inside bm25s, before the top n)."""
        terms = self.terms(query)
        n = min(n, self.size if rows is None else len(rows))
        if not terms or n == 0:
            return []
        mask = None
        if rows is not None:
            mask = np.zeros(self.size, dtype=np.float32)
            mask[rows] = 1.0
        found, scores = self._retriever.retrieve([terms], k=n, show_progress=False, n_threads=1, weight_mask=mask)
        return [(int(r), float(s)) for r, s in zip(found[0], scores[0], strict=True) if s > 0]
