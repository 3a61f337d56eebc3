"""The index on disk: a manifest pointing at one complete generation folder, swapped in atomically.

Layout: `index/manifest.json` names `index/gen-<stamp>/` which holds the article and chunk tables
(qa/index/tables.py), dense.faiss and keyword/ (tantivy segments, hard links to the previous generation's
where unchanged). A build writes a new generation in full, then replaces the manifest in one rename, so an
interrupted build leaves the previous index loadable. The manifest records the size and SHA-256 of every
file of the generation and the counts they hold; loading checks them, so a truncated, emptied, reordered or
bit-flipped file is reported, never silently used, and `qa index` rebuilds it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.errors import IndexMissing, IndexUnusable
from qa.filters import Filters
from qa.index.dense import DenseIndex
from qa.index.integrity import checksums_of, verify_contents, verify_files, verify_later
from qa.index.keyword import KeywordIndex
from qa.index.tables import ChunkTable, read_tables, tabulate, write_tables
from qa.types import Chunk, Document

log = logging.getLogger(__name__)
FORMAT_VERSION = 3  # 3: articles and chunks as memory-mapped tables (2: JSON lines; 1: bm25s' keyword index)
UPGRADABLE = (1, 2)  # older formats whose articles, chunks and vectors `qa index` reuses (rebuilding the rest)
BM25S_FORMATS = (1,)  # their keyword index is rebuilt by tantivy
CHECK_LATER_BYTES = 32 << 20  # files above this are checksummed in the background after the index opens
MANIFEST = "manifest.json"


@dataclass
class Index:
    """Articles, chunks and both search structures, loaded together.

    Built from a dict of documents and a list of chunks, or opened from disk, it holds them as tables
    (qa/index/tables.py): opening reads no article text.
    """

    documents: Mapping[str, Document]
    chunks: Sequence[Chunk]
    dense: DenseIndex
    keyword: KeywordIndex | None  # None only while an older format is upgraded
    manifest: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.chunks, ChunkTable):
            self.documents, self.chunks = tabulate(self.documents.values(), self.chunks)
        self._rows = lru_cache(maxsize=64)(self._allowed_rows)
        self._doc_ids = lru_cache(maxsize=64)(self._allowed_doc_ids)
        self._first_rows: dict[str, int] | None = None
        self._article_facts: tuple[np.ndarray, np.ndarray] | None = None  # publication days, outlets: for filters
        self.damage: str | None = None  # set when a check made after opening finds a file damaged
        self.checked = threading.Event()  # set once every file's checksum has been verified
        self.checked.set()

    @property
    def built_at(self) -> float:
        return float(self.manifest.get("built_at", 0.0))

    # What retrieval and the UI ask of every backend (qa/index/backend.py); keys here are chunk rows.

    @property
    def document_count(self) -> int:
        return len(self.documents)

    @property
    def chunk_count(self) -> int:
        return len(self.chunks)

    @property
    def dense_kind(self) -> str:
        return self.dense.kind

    def search_dense(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        self._refuse_if_damaged()
        return self.dense.search(vector, n, self._rows(filters) if filters and filters.active else None)

    def search_keyword(self, query: str, n: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        self._refuse_if_damaged()
        found = self.keyword.search(query, n, self._doc_ids(filters) if filters and filters.active else None)
        first = self.first_rows()
        return [(first[doc_id] + number, score) for (doc_id, number), score in found]

    def first_rows(self) -> dict[str, int]:
        """Each article's first chunk row (an article's chunks are consecutive rows)."""
        if self._first_rows is None:
            article = self.chunks.article_rows()
            starts = np.flatnonzero(np.diff(article, prepend=-1)).tolist()
            ids = self.documents.columns["id"]
            self._first_rows = {ids[row]: start for row, start in zip(article[starts].tolist(), starts, strict=True)}
        return self._first_rows

    def published(self, keys: list[int]) -> dict[int, str | None]:
        dates, article = self.documents.columns["date"], self.chunks.article_rows()
        return {row: dates[article[row]] for row in keys}

    def passage_parts(self, keys: list[int]) -> dict[int, tuple[Chunk, Document]]:
        parts = {}
        for row in keys:
            chunk = self.chunks[row]
            parts[row] = (chunk, self.documents[chunk.doc_id])
        return parts

    def sources(self) -> list[str]:
        return sorted({source for source in self.documents.columns["source"] if source}, key=str.lower)

    def newest_date(self) -> str | None:
        return max((day for day in self.documents.columns["date"] if day), default=None)

    def recent_documents(self, limit: int) -> list[Document]:
        dates = self.documents.columns["date"]
        newest = sorted(range(len(dates)), key=lambda row: dates[row] or "", reverse=True)[:limit]
        return [self.documents.at(row) for row in newest]

    def _allowed_articles(self, filters: Filters) -> np.ndarray:
        if self._article_facts is None:
            columns = self.documents.columns
            days = [date.fromisoformat(day).toordinal() if day else 0 for day in columns["date"]]
            outlets = [(source or "").lower() for source in columns["source"]]
            self._article_facts = (np.array(days, dtype=np.int64), np.array(outlets, dtype=object))
        return filters.admitted(*self._article_facts)

    def _allowed_rows(self, filters: Filters) -> np.ndarray:
        return np.flatnonzero(self._allowed_articles(filters)[self.chunks.article_rows()]).astype(np.int64)

    def _allowed_doc_ids(self, filters: Filters) -> frozenset[str]:
        ids = self.documents.columns["id"]
        return frozenset(ids[row] for row in np.flatnonzero(self._allowed_articles(filters)).tolist())

    def _refuse_if_damaged(self) -> None:
        if self.damage:
            raise IndexUnusable(self.damage)


def read_manifest(folder: Path) -> dict | None:
    file = Path(folder) / MANIFEST
    if not file.exists():
        return None
    try:
        return json.loads(file.read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise IndexUnusable(f"index manifest {file} is unreadable: {error}") from error


@contextmanager
def writer_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's write lock: concurrent builds take turns instead of deleting each other's work."""
    from filelock import FileLock

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with FileLock(folder / ".lock"):
        yield


def load_index(folder: Path, *, retries: int = 2, check_now: bool = False) -> Index:
    """The index saved under `folder`; raises IndexMissing when there is none.

    Files up to CHECK_LATER_BYTES are checksummed before it is returned; larger ones (vectors, texts of a
    big archive) in a background thread just after, unless `check_now`, so opening a million chunks takes
    a second, not the minute hashing them would: one found damaged then makes the index refuse every
    search with the remedy (`Index.damage`). A writer may swap generations while we read; reading again
    picks up the new one.
    """
    for attempt in range(retries):
        try:
            return _load_index(Path(folder), check_now=check_now)
        except IndexMissing:
            raise
        except IndexUnusable:
            time.sleep(0.2 * (attempt + 1))
    return _load_index(Path(folder), check_now=check_now)


def load_for_upgrade(folder: Path) -> Index:
    """An index of an older format (UPGRADABLE), for `qa index` to reuse its articles, chunks and vectors
    instead of embedding everything again (and its keyword index when that is still current)."""
    return _load_index(Path(folder), check_now=True, upgrade=True)


def _load_index(folder: Path, *, check_now: bool, upgrade: bool = False) -> Index:
    manifest = read_manifest(folder)
    if manifest is None:
        raise IndexMissing(f"no index in {folder}: run `qa index` first")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION and not (upgrade and version in UPGRADABLE):
        remedy = "upgrade it with `qa index`" if version in UPGRADABLE else "rebuild it with `qa index --rebuild`"
        raise IndexUnusable(f"index in {folder} has format {version}, this version reads {FORMAT_VERSION}: {remedy}")
    keyword = version not in BM25S_FORMATS
    generation = folder / str(manifest.get("generation", ""))
    try:
        checksums = manifest.get("checksums")
        if checksums is not None and not keyword:
            checksums = {name: sums for name, sums in checksums.items() if not name.startswith("keyword/")}
        later = verify_files(generation, checksums, later_above=None if check_now else CHECK_LATER_BYTES)
        if (generation / "chunks.jsonl").exists():  # formats 1 and 2: articles and chunks as JSON lines
            documents = [Document(**json.loads(line)) for line in _lines(generation / "documents.jsonl")]
            chunks = [Chunk.from_dict(json.loads(line)) for line in _lines(generation / "chunks.jsonl")]
            articles, table = tabulate(documents, chunks)
        else:
            articles, table = read_tables(generation)
        dense = DenseIndex.load(generation / "dense.faiss")
        keywords = KeywordIndex.load(generation / "keyword") if keyword else None
        index = Index(articles, table, dense, keywords, manifest)
        verify_contents(index)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise IndexUnusable(f"index in {folder} is damaged ({error}): run `qa index` to rebuild it") from error
    if later:
        index.checked.clear()
        threading.Thread(
            target=verify_later, args=(index, folder, generation, later), name="index-checksums", daemon=True
        ).start()
    return index


def save_index(folder: Path, index: Index) -> None:
    """Write `index` as a new generation and switch the manifest to it atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    staging = folder / f".tmp-{name}"
    staging.mkdir()
    try:
        write_tables(staging, index.documents, index.chunks)
        index.dense.save(staging / "dense.faiss")
        index.keyword.save(staging / "keyword")
        checksums = checksums_of(staging)
        _sync(staging)
        staging.rename(folder / name)
        manifest = {**index.manifest, "format_version": FORMAT_VERSION, "generation": name, "checksums": checksums}
        temporary = folder / f".{MANIFEST}.tmp"
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(manifest, indent=1))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, folder / MANIFEST)
        index.manifest = manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    collect_garbage(folder)


def collect_garbage(folder: Path) -> list[str]:
    """Remove what interrupted builds left behind (unfinished and superseded generations); their names.

    Call with the writer lock held. A reader still opening a superseded generation retries on the new one.
    """
    folder = Path(folder)
    try:
        current = (read_manifest(folder) or {}).get("generation")
    except IndexUnusable:
        return []
    removed = []
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        leftover = entry.name.startswith((".tmp-gen-", ".tmp-keyword-", f".{MANIFEST}.tmp")) or (
            entry.is_dir() and entry.name.startswith("gen-") and entry.name != current
        )
        if leftover:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry.name)
    if removed:
        log.info("removed leftovers of earlier builds in %s: %s", folder, ", ".join(removed))
    return removed


def _sync(folder: Path) -> None:
    """Flush a finished generation to disk before the manifest points at it (a power cut loses nothing)."""
    for file in folder.rglob("*"):
        if file.is_file():
            with file.open("rb") as handle:
                os.fsync(handle.fileno())


def _lines(file: Path):
    with file.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line
