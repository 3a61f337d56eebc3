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
HNSW_SEARCH_DEPTH = 512  # efSearch: 0.990 recall@10 at 1M near-duplicate-heavy chunks, 1.2 ms (docs/history.md)
ROWS_FILE = "dense_rows.npy"  # beside dense.faiss when the graph grew: the chunk row of each stored vector


def index_kind(rows: int, setting: str = "auto", hnsw_above: int = 200_000) -> str:
    """'flat' (exact) or 'hnsw' (approximate) for an index of `rows` vectors."""
    if setting in ("flat", "hnsw"):
        return setting
    return "hnsw" if rows > hnsw_above else "flat"


class DenseIndex:
    """Ranks chunk rows by cosine similarity to a query vector.

    A graph that grew (`grown`) keeps the vectors of replaced and deleted chunks as retired nodes, which
    still route searches but are never returned; `rows` maps each stored vector to its chunk row (-1:
    retired). A freshly built index stores chunk rows in order and has no map.
    """

    def __init__(self, index: faiss.Index, rows: np.ndarray | None = None, file: Path | None = None) -> None:
        self._index = index
        self.rows = rows
        self._file = file  # where a loaded index lies: growing reads it whole (the loaded one is a view)
        self._live: faiss.IDSelector | None = None
        self._bitmap: np.ndarray | None = None  # what `_live` reads: kept alive with it
        self._ids: np.ndarray | None = None
        self.retired = 0 if rows is None else int(np.count_nonzero(np.asarray(rows) < 0))

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

    def grown(self, kept: np.ndarray, added: np.ndarray) -> DenseIndex:
        """A copy for a new layout of chunk rows: row i keeps the vector of this index's chunk row
        `kept[i]`, or where that is -1 takes the next of `added`; vectors no row keeps are retired."""
        import faiss

        index = faiss.read_index(str(self._file)) if self._file else faiss.clone_index(self._index)
        ids = np.full(len(kept), -1, dtype=np.int64)
        old = kept >= 0
        ids[old] = self._stored_ids()[kept[old]]
        ids[~old] = index.ntotal + np.arange(int((~old).sum()))
        if len(added):
            index.add(np.ascontiguousarray(added, dtype=np.float32))
        rows = np.full(index.ntotal, -1, dtype=np.int64)
        rows[ids] = np.arange(len(kept))
        return DenseIndex(index, rows)

    @property
    def kind(self) -> str:
        return "hnsw" if hasattr(self._index, "hnsw") else "flat"

    @classmethod
    def load(cls, file: Path) -> DenseIndex:
        import faiss

        rows_file = file.with_name(ROWS_FILE)
        rows = np.load(rows_file, mmap_mode="r") if rows_file.exists() else None
        # The vectors stay in the file, paged in as searches touch them: opening a million takes no time.
        return cls(faiss.read_index(str(file), faiss.IO_FLAG_MMAP_IFC), rows, file)

    def save(self, file: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(file))
        if self.rows is not None:
            np.save(file.with_name(ROWS_FILE), np.asarray(self.rows, dtype=np.int64))

    @property
    def size(self) -> int:
        """Vectors of chunks (retired ones not counted)."""
        return int(self._index.ntotal) - self.retired

    def vectors(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The vectors of chunk `rows` (all, in row order, when None), reused when the index is updated."""
        if rows is None:
            rows = np.arange(self.size)
        if len(rows) == 0:
            return np.zeros((0, self._index.d), dtype=np.float32)
        return self._index.reconstruct_batch(self._stored_ids()[np.asarray(rows, dtype=np.int64)])

    def search(self, vector: np.ndarray, n: int, rows: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to `n` (row, cosine) pairs, best first; only among `rows` when given (filtered inside FAISS)."""
        import faiss

        n = min(n, self.size if rows is None else len(rows))
        if n == 0:
            return []
        if rows is not None:
            allowed = np.zeros(self._index.ntotal, dtype=bool)
            allowed[rows if self.rows is None else self._stored_ids()[rows]] = True
            selector, _bits = _bitmap_selector(allowed)
        else:
            selector = self._live_selector()
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_SEARCH_DEPTH, n))
            if selector is not None:
                params.sel = selector
        else:
            params = None if selector is None else faiss.SearchParameters(sel=selector)
        query = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        scores, found = self._index.search(query, n, params=params)
        hits = [(int(r), float(s)) for r, s in zip(found[0], scores[0], strict=True) if r >= 0]
        return hits if self.rows is None else [(int(self.rows[r]), score) for r, score in hits]

    def _stored_ids(self) -> np.ndarray:
        """Where each chunk row's vector is stored."""
        if self.rows is None:
            return np.arange(self._index.ntotal, dtype=np.int64)
        if self._ids is None:
            rows = np.asarray(self.rows)
            live = np.flatnonzero(rows >= 0)
            self._ids = np.empty(len(live), dtype=np.int64)
            self._ids[rows[live]] = live
        return self._ids

    def _live_selector(self) -> faiss.IDSelector | None:
        """Every stored vector but the retired ones (None when none is retired)."""
        if self.rows is None or not self.retired:
            return None
        if self._live is None:
            self._live, self._bitmap = _bitmap_selector(np.asarray(self.rows) >= 0)
        return self._live


def _bitmap_selector(allowed: np.ndarray) -> tuple[faiss.IDSelector, np.ndarray]:
    """A selector of the stored vectors where `allowed` (one bool each) is true, and the bits it reads (keep
    them alive while it is used). Cheap to build per search: a bitmap takes microseconds, where FAISS's id
    set (a hash set) took milliseconds for the tens of thousands of ids a broad filter allows."""
    import faiss

    bits = np.packbits(allowed, bitorder="little")
    return faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits)), bits
