"""Files that cannot be read are moved out of the corpus folder with their reason, so they poison no later run."""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.loaders import LoadProblem, file_of
from qa.ingest.uploads import free_name

log = logging.getLogger(__name__)
REASON_SUFFIX = ".reason.txt"


@dataclass(frozen=True)
class Rejected:
    """A corpus file moved aside: its name, why, and where it now lies."""

    name: str
    reason: str
    path: Path

    def __str__(self) -> str:
        return f"rejected {self.name}: {self.reason} (moved to {self.path})"


def reject_files(problems: list[LoadProblem], corpus_dir: Path, folder: Path) -> list[Rejected]:
    """Move each file inside `corpus_dir` that could not be read at all into `folder`, with a reason file."""
    corpus_dir = Path(corpus_dir).resolve()
    reasons: dict[Path, list[str]] = {}
    for problem in problems:
        file = Path(file_of(problem.path))
        if problem.whole_file and file.is_file() and file.resolve().is_relative_to(corpus_dir):
            reasons.setdefault(file, []).append(problem.reason)
    rejected = []
    for file, why in reasons.items():
        reason = "; ".join(dict.fromkeys(why))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = free_name(folder / file.name)
            shutil.move(str(file), target)
            note = f"{reason}\nfrom: {file}\nwhen: {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
            target.with_name(target.name + REASON_SUFFIX).write_text(note, "utf-8")
        except OSError as error:
            log.warning("could not move %s out of the corpus (%s); it will be skipped again next time", file, error)
            continue
        log.warning("rejected %s: %s (moved to %s)", file.name, reason, target)
        rejected.append(Rejected(file.name, reason, target))
    return rejected


def rejected_files(folder: Path) -> list[Rejected]:
    """The files moved aside so far, newest first, each with its reason."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    found = []
    for note in folder.glob("*" + REASON_SUFFIX):
        file = note.with_name(note.name[: -len(REASON_SUFFIX)])
        reason = note.read_text("utf-8", errors="replace").splitlines()[0] if note.stat().st_size else ""
        found.append((note.stat().st_mtime, Rejected(file.name, reason, file)))
    return [entry for _, entry in sorted(found, key=lambda pair: -pair[0])]
