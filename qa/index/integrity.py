"""An index generation's integrity: every file's size and SHA-256 as the manifest records them, and counts
that agree with each other; what fails is reported with the remedy, never silently used."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa.index.store import Index

log = logging.getLogger(__name__)


def verify_later(index: Index, folder: Path, generation: Path, checksums: dict) -> None:
    # at the lowest priority: this thread uses only the CPU that loading and answering leave idle (on
    # Linux a thread has its own; elsewhere it shares the process's and this is skipped)
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    try:
        verify_files(generation, checksums, later_above=None)
    except (OSError, ValueError) as error:
        index.damage = f"index in {folder} is damaged ({error}): run `qa index` to rebuild it"
        log.error("%s", index.damage)
    finally:
        index.checked.set()


def verify_files(generation: Path, checksums: dict | None, *, later_above: int | None) -> dict:
    """Every file the manifest lists has its recorded size and SHA-256; those over `later_above` bytes are
    only measured, and returned to be hashed later (an index written before checksums were recorded is
    checked by its contents alone, and gets them on the next `qa index`)."""
    later = {}
    for name, expected in (checksums or {}).items():
        file = generation / name
        if not file.is_file():
            raise ValueError(f"{name} is missing")
        if file.stat().st_size != expected["bytes"]:
            raise ValueError(f"{name} has {file.stat().st_size:,} bytes, the manifest says {expected['bytes']:,}")
        if later_above is not None and expected["bytes"] > later_above:
            later[name] = expected
        elif sha256_of(file) != expected["sha256"]:
            raise ValueError(f"{name} does not match its checksum")
    return later


def verify_contents(index: Index) -> None:
    """The counts agree with each other and the manifest (how chunks sit in their articles is checked
    when the tables are read)."""
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


def sha256_of(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksums_of(generation: Path) -> dict[str, dict]:
    return {
        str(file.relative_to(generation)): {"bytes": file.stat().st_size, "sha256": sha256_of(file)}
        for file in sorted(generation.rglob("*"))
        if file.is_file()
    }
