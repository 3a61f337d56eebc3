"""Bring new article files into the corpus folder without losing or overwriting anything."""

from __future__ import annotations

import shutil
from pathlib import Path

from qa.ingest.loaders import SUFFIXES, LoadProblem, load_corpus

UPLOAD_FOLDER = "uploads"


def store_uploads(paths: list[Path], corpus_dir: Path) -> tuple[list[Path], list[LoadProblem]]:
    """Copy readable article files into `corpus_dir/uploads/`; unreadable ones are reported, not copied."""
    target = Path(corpus_dir) / UPLOAD_FOLDER
    stored, problems = [], []
    for path in map(Path, paths):
        if path.suffix.lower() not in SUFFIXES:
            problems.append(
                LoadProblem(
                    path.name, f"unsupported file type {path.suffix or '(none)'}; use {', '.join(sorted(SUFFIXES))}"
                )
            )
            continue
        articles, file_problems = load_corpus(path)
        problems.extend(LoadProblem(path.name, p.reason) for p in file_problems)
        if not articles:
            continue
        target.mkdir(parents=True, exist_ok=True)
        destination = free_name(target / path.name)
        shutil.copyfile(path, destination)
        stored.append(destination)
    return stored, problems


def free_name(path: Path) -> Path:
    """`path`, or `stem-1.ext`, `stem-2.ext`... the first that does not exist yet."""
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
