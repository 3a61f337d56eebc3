"""The index on disk: a manifest pointing at one complete generation folder, swapped in atomically.

Layout: `index/manifest.json` names `index/gen-<stamp>/` which holds documents.jsonl, chunks.jsonl,
dense.faiss and keyword/ (tantivy segments, hard links to the previous generation's where unchanged). A
build writes a new generation in full, then replaces the manifest in one rename, so an interrupted build
leaves the previous index loadable. The manifest records the size and
SHA-256 of every file of the generation and the counts they hold; loading checks both, so a truncated,
emptied, reordered or bit-flipped file is reported, never silently used, and `qa index` rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from qa.errors import IndexMissing, IndexUnusable
from qa.index.dense import DenseIndex
from qa.index.keyword import KeywordIndex
from qa.retrieval.filters import Filters
from qa.types import Chunk, Document

log = logging.getLogger(__name__)
FORMAT_VERSION = 2  # 2: the keyword index is tantivy's (1 was bm25s')
UPGRADABLE = (1,)  # older formats whose articles, chunks and vectors `qa index` reuses (rebuilding the rest)
MANIFEST = "manifest.json"


@dataclass
class Index:
    """Documents, chunks and both search structures, loaded together."""

    documents: dict[str, Document]
    chunks: list[Chunk]
    dense: DenseIndex
    keyword: KeywordIndex | None  # None only while an older format is upgraded
    manifest: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._rows = lru_cache(maxsize=64)(self._allowed_rows)
        self._doc_ids = lru_cache(maxsize=64)(self._allowed_doc_ids)
        self._first_rows: dict[str, int] | None = None

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
        return self.dense.search(vector, n, self._rows(filters) if filters and filters.active else None)

    def search_keyword(self, query: str, n: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        found = self.keyword.search(query, n, self._doc_ids(filters) if filters and filters.active else None)
        first = self.first_rows()
        return [(first[doc_id] + number, score) for (doc_id, number), score in found]

    def first_rows(self) -> dict[str, int]:
        """Each article's first chunk row (an article's chunks are consecutive rows)."""
        if self._first_rows is None:
            first: dict[str, int] = {}
            for row, chunk in enumerate(self.chunks):
                first.setdefault(chunk.doc_id, row)
            self._first_rows = first
        return self._first_rows

    def published(self, keys: list[int]) -> dict[int, str | None]:
        return {row: self.documents[self.chunks[row].doc_id].date for row in keys}

    def passage_parts(self, keys: list[int]) -> dict[int, tuple[Chunk, Document]]:
        return {row: (self.chunks[row], self.documents[self.chunks[row].doc_id]) for row in keys}

    def sources(self) -> list[str]:
        return sorted({doc.source for doc in self.documents.values() if doc.source}, key=str.lower)

    def newest_date(self) -> str | None:
        return max((doc.date for doc in self.documents.values() if doc.date), default=None)

    def recent_documents(self, limit: int) -> list[Document]:
        return sorted(self.documents.values(), key=lambda doc: doc.date or "", reverse=True)[:limit]

    def _allowed_rows(self, filters: Filters) -> np.ndarray:
        return filters.rows(self.chunks, self.documents)

    def _allowed_doc_ids(self, filters: Filters) -> frozenset[str]:
        return frozenset(doc_id for doc_id, document in self.documents.items() if filters.allows(document))


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


def load_index(folder: Path, *, retries: int = 2) -> Index:
    """The index saved under `folder`; raises IndexMissing when there is none.

    A writer may swap generations while we read; reading again picks up the new one.
    """
    for attempt in range(retries):
        try:
            return _load_index(Path(folder))
        except IndexMissing:
            raise
        except IndexUnusable:
            time.sleep(0.2 * (attempt + 1))
    return _load_index(Path(folder))


def load_for_upgrade(folder: Path) -> Index:
    """An index of an older format (UPGRADABLE) without its keyword index, for `qa index` to reuse its
    articles, chunks and vectors instead of embedding everything again."""
    return _load_index(Path(folder), keyword=False)


def _load_index(folder: Path, *, keyword: bool = True) -> Index:
    manifest = read_manifest(folder)
    if manifest is None:
        raise IndexMissing(f"no index in {folder}: run `qa index` first")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION and (keyword or version not in UPGRADABLE):
        remedy = "upgrade it with `qa index`" if version in UPGRADABLE else "rebuild it with `qa index --rebuild`"
        raise IndexUnusable(f"index in {folder} has format {version}, this version reads {FORMAT_VERSION}: {remedy}")
    generation = folder / str(manifest.get("generation", ""))
    try:
        checksums = manifest.get("checksums")
        if checksums is not None and not keyword:
            checksums = {name: sums for name, sums in checksums.items() if not name.startswith("keyword/")}
        _verify_files(generation, checksums)
        documents = [Document(**json.loads(line)) for line in _lines(generation / "documents.jsonl")]
        chunks = [Chunk.from_dict(json.loads(line)) for line in _lines(generation / "chunks.jsonl")]
        dense = DenseIndex.load(generation / "dense.faiss")
        keywords = KeywordIndex.load(generation / "keyword") if keyword else None
        index = Index({doc.id: doc for doc in documents}, chunks, dense, keywords, manifest)
        _verify_contents(index)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
        raise IndexUnusable(f"index in {folder} is damaged ({error}): run `qa index` to rebuild it") from error
    return index


def _verify_files(generation: Path, checksums: dict | None) -> None:
    """Every file the manifest lists has its recorded size and SHA-256 (an index written before checksums
    were recorded is checked by its contents alone, and gets them on the next `qa index`)."""
    if checksums is None:
        return
    for name, expected in checksums.items():
        file = generation / name
        if not file.is_file():
            raise ValueError(f"{name} is missing")
        if file.stat().st_size != expected["bytes"]:
            raise ValueError(f"{name} has {file.stat().st_size:,} bytes, the manifest says {expected['bytes']:,}")
        if _sha256(file) != expected["sha256"]:
            raise ValueError(f"{name} does not match its checksum")


def _verify_contents(index: Index) -> None:
    """The counts agree with each other and the manifest, and every chunk is its slice of its document."""
    counts = index.manifest.get("counts", {})
    sizes = {
        "documents in the manifest": counts.get("documents", len(index.documents)),
        "chunks in the manifest": counts.get("chunks", len(index.chunks)),
        "vectors": index.dense.size,
    }
    if index.keyword is not None:
        sizes["keyword rows"] = index.keyword.size
    if sizes["documents in the manifest"] != len(index.documents):
        raise ValueError(f"{len(index.documents)} documents but {sizes['documents in the manifest']} in the manifest")
    for what, size in list(sizes.items())[1:]:
        if size != len(index.chunks):
            raise ValueError(f"{len(index.chunks)} chunks but {size} {what}")
    finished: set[str] = set()  # an article's chunks are consecutive rows: keyword hits are found that way
    for row, chunk in enumerate(index.chunks):
        document = index.documents.get(chunk.doc_id)
        if document is None or document.text[chunk.start : chunk.end] != chunk.text:
            raise ValueError(f"chunk {row} does not match its document")
        if row and index.chunks[row - 1].doc_id != chunk.doc_id:
            finished.add(index.chunks[row - 1].doc_id)
            if chunk.doc_id in finished:
                raise ValueError(f"chunk {row} is apart from the other chunks of its article")


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checksums(generation: Path) -> dict[str, dict]:
    return {
        str(file.relative_to(generation)): {"bytes": file.stat().st_size, "sha256": _sha256(file)}
        for file in sorted(generation.rglob("*"))
        if file.is_file()
    }


def save_index(folder: Path, index: Index) -> None:
    """Write `index` as a new generation and switch the manifest to it atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    staging = folder / f".tmp-{name}"
    staging.mkdir()
    try:
        _write_lines(staging / "documents.jsonl", (json.dumps(d.to_dict()) for d in index.documents.values()))
        _write_lines(staging / "chunks.jsonl", (json.dumps(c.to_dict()) for c in index.chunks))
        index.dense.save(staging / "dense.faiss")
        index.keyword.save(staging / "keyword")
        checksums = _checksums(staging)
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


def _write_lines(file: Path, lines: Iterable[str]) -> None:
    with file.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
