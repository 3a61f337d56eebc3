"""Bring new article files into the corpus folder without losing or overwriting anything."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

from qa.ingest.loaders import SUFFIXES, LoadProblem, load_corpus
from qa.settings import Settings

UPLOAD_FOLDER = "uploads"
STALE_PARTIAL_SECONDS = 3600  # a copy unfinished this long was interrupted, not in progress


def store_uploads(paths: list[Path], settings: Settings) -> tuple[list[Path], list[LoadProblem]]:
    """Copy readable article files into `corpus_dir/uploads/`; unreadable or oversized ones are reported, not
    copied. Each copy appears whole or not at all (written under a hidden name, then renamed)."""
    paths = [Path(path) for path in paths]
    if len(paths) > settings.max_upload_files:
        reason = f"{len(paths)} files in one upload; at most {settings.max_upload_files} (NEWSDESK_MAX_UPLOAD_FILES)"
        return [], [LoadProblem("upload", reason)]
    target = Path(settings.corpus_dir) / UPLOAD_FOLDER
    _remove_interrupted_copies(target)
    stored, problems = [], []
    known = _digests(target)
    for path in paths:
        problem = _refusal(path, settings)
        if problem:
            problems.append(problem)
            continue
        digest = _digest(path)
        if digest in known:
            problems.append(LoadProblem(path.name, f"identical to {known[digest].name}, already uploaded: kept once"))
            continue
        articles, file_problems = load_corpus(path, max_article_chars=settings.max_article_chars)
        problems.extend(LoadProblem(path.name, p.reason, p.whole_file) for p in file_problems)
        if not articles:
            continue
        target.mkdir(parents=True, exist_ok=True)
        destination = free_name(target / path.name)
        partial = destination.with_name(f".partial-{destination.name}")
        shutil.copyfile(path, partial)
        os.replace(partial, destination)
        stored.append(destination)
        known[digest] = destination
    return stored, problems


def _remove_interrupted_copies(folder: Path) -> None:
    for partial in folder.glob(".partial-*") if folder.is_dir() else []:
        try:
            if time.time() - partial.stat().st_mtime > STALE_PARTIAL_SECONDS:
                partial.unlink()
        except OSError:
            continue


def _digests(folder: Path) -> dict[str, Path]:
    """The content digest of every article already uploaded, to keep identical files once."""
    return {_digest(path): path for path in sorted(folder.iterdir()) if path.is_file()} if folder.is_dir() else {}


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def refused_name(name: str) -> str | None:
    """Why a file of this name is not taken as an article (a hidden name, a type newsdesk does not read), or None."""
    if name.startswith("."):
        return "a hidden file (its name starts with '.'); rename it to add it"
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        return f"unsupported file type {suffix or '(none)'}; use {', '.join(sorted(SUFFIXES))}"
    return None


def _refusal(path: Path, settings: Settings) -> LoadProblem | None:
    why = refused_name(path.name)
    if why:
        return LoadProblem(path.name, why)
    try:
        size = path.stat().st_size
    except OSError as error:
        return LoadProblem(path.name, f"unreadable ({error.strerror or error})")
    if size > settings.max_upload_mb * 1024 * 1024:
        return LoadProblem(
            path.name, f"{size / 2**20:.1f} MB is over the {settings.max_upload_mb} MB limit (NEWSDESK_MAX_UPLOAD_MB)"
        )
    return None


def free_name(path: Path) -> Path:
    """`path`, or `stem-1.ext`, `stem-2.ext`... the first that does not exist yet."""
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
