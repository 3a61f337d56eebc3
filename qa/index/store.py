"""The index on disk: a manifest pointing at one complete generation folder, swapped in atomically.

Layout: `index/manifest.json` names `index/gen-<stamp>/` which holds documents.jsonl, chunks.jsonl,
dense.faiss and keyword/. A build writes a new generation in full, then replaces the manifest in one
rename, so an interrupted build leaves the previous index loadable.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import IndexMissing, IndexUnusable
from qa.index.dense import DenseIndex
from qa.index.keyword import KeywordIndex
from qa.types import Chunk, Document

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass
class Index:
    """Documents, chunks and both search structures, loaded together."""

    documents: dict[str, Document]
    chunks: list[Chunk]
    dense: DenseIndex
    keyword: KeywordIndex
    manifest: dict = field(default_factory=dict)

    @property
    def built_at(self) -> float:
        return float(self.manifest.get("built_at", 0.0))

    def document(self, doc_id: str) -> Document:
        return self.documents[doc_id]


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


def _load_index(folder: Path) -> Index:
    manifest = read_manifest(folder)
    if manifest is None:
        raise IndexMissing(f"no index in {folder}: run `qa index` first")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexUnusable(
            f"index in {folder} has format {manifest.get('format_version')}, "
            f"this version reads {FORMAT_VERSION}: rebuild it with `qa index --rebuild`"
        )
    generation = folder / manifest["generation"]
    try:
        documents = [Document(**json.loads(line)) for line in _lines(generation / "documents.jsonl")]
        chunks = [Chunk.from_dict(json.loads(line)) for line in _lines(generation / "chunks.jsonl")]
        dense = DenseIndex.load(generation / "dense.faiss")
        keyword = KeywordIndex.load(generation / "keyword") if chunks else KeywordIndex.build([])
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise IndexUnusable(f"index in {folder} is damaged ({error}): rebuild it with `qa index --rebuild`") from error
    return Index({doc.id: doc for doc in documents}, chunks, dense, keyword, manifest)


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
        if index.chunks:
            index.keyword.save(staging / "keyword")
        staging.rename(folder / name)
        manifest = {**index.manifest, "format_version": FORMAT_VERSION, "generation": name}
        temporary = folder / f".{MANIFEST}.tmp"
        temporary.write_text(json.dumps(manifest, indent=1), "utf-8")
        os.replace(temporary, folder / MANIFEST)
        index.manifest = manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _remove_old_generations(folder, keep=name)


def _remove_old_generations(folder: Path, keep: str) -> None:
    for entry in folder.iterdir():
        if (
            entry.is_dir()
            and entry.name != keep
            and (entry.name.startswith("gen-") or entry.name.startswith(".tmp-gen-"))
        ):
            shutil.rmtree(entry, ignore_errors=True)


def _lines(file: Path):
    with file.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line


def _write_lines(file: Path, lines: Iterable[str]) -> None:
    with file.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
