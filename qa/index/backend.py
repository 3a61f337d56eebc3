"""Where the index lives: the embedded default (FAISS + bm25s files in the index folder) or a Milvus server.

Retrieval, the answer stage and the UI see one small interface, `SearchIndex`, and get the same `Chunk` and
`Document` records from either backend; only how candidates are found and stored differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

from qa.filters import Filters
from qa.types import Chunk, Document

if TYPE_CHECKING:
    from qa.settings import Settings

Key = int | str  # a chunk's handle in its backend: a row (embedded) or a primary key (Milvus)


class SearchIndex(Protocol):
    """What retrieval and the UI ask of an index, whichever backend holds it."""

    manifest: dict

    @property
    def built_at(self) -> float: ...
    @property
    def document_count(self) -> int: ...
    @property
    def chunk_count(self) -> int: ...
    @property
    def dense_kind(self) -> str: ...

    def search_dense(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[Key, float]]:
        """Up to `n` (key, cosine) pairs, best first, among the chunks of articles `filters` allow."""

    def search_keyword(self, query: str, n: int, filters: Filters | None = None) -> list[tuple[Key, float]]:
        """Up to `n` (key, BM25 score) pairs with a positive score, best first, among the allowed chunks."""

    def published(self, keys: list[Key]) -> dict[Key, str | None]:
        """The publication day (ISO) of each chunk's article; None when undated."""

    def passage_parts(self, keys: list[Key]) -> dict[Key, tuple[Chunk, Document]]:
        """Each key's chunk and its article; a key whose article is gone is left out."""

    def sources(self) -> list[str]:
        """The outlets of the indexed articles, for the UI's source picker."""

    def newest_date(self) -> str | None:
        """The newest publication day among the indexed articles."""

    def recent_documents(self, limit: int) -> list[Document]:
        """The `limit` newest articles (undated last), for example questions."""


def open_index(settings: Settings) -> SearchIndex:
    """The index the settings name: the index folder's, or the Milvus collections at `milvus_uri`.
    Raises IndexMissing when none was built yet, IndexUnusable when it cannot be used."""
    if settings.backend == "milvus":
        from qa.index.milvus import MilvusIndex

        return MilvusIndex.connect(settings)
    from qa.index.store import load_index

    return load_index(settings.index_dir)
