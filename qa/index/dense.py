"""Dense search over chunk vectors with FAISS: exact inner product (= cosine on normalised vectors) for
small and mid-sized corpora, an HNSW graph past a size where exact search gets slow."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import faiss


HNSW_NEIGHBOURS = 32
HNSW_BUILD_DEPTH = 80  # efConstruction
HNSW_SEARCH_DEPTH = 512  # efSearch: 0.990 recall@10 at 1M near-duplicate-heavy chunks, 1.2 ms (README, Results)


def index_kind(rows: int, setting: str = "auto", hnsw_above: int = 200_000) -> str:
    """'flat' (exact) or 'hnsw' (approximate) for an index of `rows` vectors."""
    if setting in ("flat", "hnsw"):
        return setting
    return "hnsw" if rows > hnsw_above else "flat"


class DenseIndex:
    """Ranks chunk rows by cosine similarity to a query vector."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index

    @classmethod
    def build(cls, vectors: np.ndarray, dimensions: int, kind: str = "flat") -> DenseIndex:
        import faiss

        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dimensions, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_BUILD_DEPTH
        else:
            index = faiss.IndexFlatIP(dimensions)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index)

    @property
    def kind(self) -> str:
        return "hnsw" if hasattr(self._index, "hnsw") else "flat"

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
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_SEARCH_DEPTH, n))
            if rows is not None:
                params.sel = faiss.IDSelectorBatch(rows)
        else:
            params = None if rows is None else faiss.SearchParameters(sel=faiss.IDSelectorBatch(rows))
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        scores, found = self._index.search(query, n, params=params)
        return [(int(r), float(s)) for r, s in zip(found[0], scores[0], strict=True) if r >= 0]
