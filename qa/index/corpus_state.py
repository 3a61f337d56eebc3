"""Which folder an index belongs to and how that folder changed since: content hashes per file, what an
index holds, and the indexes of every corpus folder."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

from qa.errors import IndexUnusable
from qa.index.store import read_manifest
from qa.ingest.loaders import corpus_files
from qa.settings import DEFAULT_FOLDER_INDEXES, Settings

if TYPE_CHECKING:
    from qa.index.backend import SearchIndex


def corpus_fingerprint(corpus: Path) -> dict[str, str]:
    """A content hash per corpus file, to tell when the corpus changed since the index was built."""
    fingerprint = {}
    for file in corpus_files(Path(corpus).resolve()):  # absolute keys, whatever the working directory
        try:
            fingerprint[str(file)] = hashlib.sha1(file.read_bytes()).hexdigest()
        except OSError:
            continue
    return fingerprint


def describe(index: SearchIndex, index_dir: Path) -> dict:
    """What an index holds: articles, chunks, model, build time and age, and corpus changes since."""
    manifest = index.manifest
    corpus = Path(manifest.get("corpus", ""))
    return {
        "documents": index.document_count,
        "chunks": index.chunk_count,
        "model": manifest.get("model"),
        "dimensions": manifest.get("dimensions"),
        "dense_index": index.dense_kind,
        "settings": manifest.get("settings"),
        "corpus": str(corpus),
        "index_dir": str(index_dir),
        "built": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(index.built_at)),
        "age_seconds": round(time.time() - index.built_at, 1),
        "changes": corpus_changes(corpus, manifest) if corpus.exists() and "files" in manifest else {},
        "backfill": manifest.get("backfill"),  # how far a Ray backfill got (None for other builds)
    }


def corpus_changes(corpus: Path, manifest: dict) -> dict[str, int]:
    """How many corpus files are new, changed or removed relative to the index's manifest."""
    now, then = corpus_fingerprint(corpus), manifest.get("files", {})
    return {
        "new": sum(path not in then for path in now),
        "changed": sum(path in then and then[path] != digest for path, digest in now.items()),
        "removed": sum(path not in now for path in then),
    }


def folder_indexes(settings: Settings) -> list[dict]:
    """The shipped corpus's index and each other folder's (where `index_dir_for` puts them): its folder, the
    corpus it belongs to and how many articles it holds."""
    others = Path(settings.folder_indexes_dir or DEFAULT_FOLDER_INDEXES).expanduser()
    found = []
    for folder in [Settings.index_dir, *sorted(others.glob("*"))]:
        try:
            manifest = read_manifest(folder)
        except IndexUnusable:
            continue
        if manifest:
            documents = manifest.get("counts", {}).get("documents", 0)
            found.append({"corpus": manifest.get("corpus", ""), "index_dir": str(folder), "documents": documents})
    return found
