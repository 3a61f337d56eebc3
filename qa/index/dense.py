"""Dense search over chunk vectors with FAISS (exact inner product on normalised vectors = cosine)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import faiss


class DenseIndex:
    """Ranks chunk rows by cosine similarity to a query vector."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray, dimensions: int) -> DenseIndex:
        import faiss

        index = faiss.IndexFlatIP(dimensions)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @classmethod
    def load(cls, file: Path) -> DenseIndex:
        import faiss

        return cls(faiss.read_index(str(file)))

    def save(self, file: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(file))

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def vectors(self) -> np.ndarray:
        """All stored vectors, row order (reused when the index is updated)."""
        if self.size == 0:
            return np.zeros((0, self._index.d), dtype=np.float32)
        return self._index.reconstruct_n(0, self.size)

    def vector(self, row: int) -> np.ndarray:
        return self._index.reconstruct(int(row))

    def search(self, vector: np.ndarray, n: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to `n` (row, cosine) pairs, best first; only among `rows` when given (filtered inside FAISS)."""
        import faiss

        n = min(n, self.size if rows is None else len(rows))
        if n == 0:
            return []
        params = None if rows is None else faiss.SearchParameters(sel=faiss.IDSelectorBatch(rows))
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        scores, found = self._index.search(query, n, params=params)
        return [(int(r), float(s)) for r, s in zip(found[0], scores[0], strict=True) if r >= 0]
