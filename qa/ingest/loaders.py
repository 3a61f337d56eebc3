"""Read articles from files and folders: .txt, .md, .html/.htm, .json and .jsonl."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
MAX_ARTICLE_CHARS = 1_000_000  # the default of Settings.max_article_chars


@dataclass(frozen=True)
class RawArticle:
    """An article as read, before cleaning; `key` names where it came from, stable across runs."""

    key: str
    text: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None
    is_html: bool = False
    date_from: str | None = None  # where `date` was found, when it was


@dataclass(frozen=True)
class LoadProblem:
    """A file (or one record of it) that was skipped, and why; `whole_file` when nothing in it could be read."""

    path: str
    reason: str
    whole_file: bool = True

    def __str__(self) -> str:
        return f"skipped {self.path}: {self.reason}"


def file_of(key: str) -> str:
    """The file an article key names: a JSON record's key is `file#id`, any other article's is the file."""
    return key.split("#", 1)[0]


def load_corpus(
    path: Path | str, *, max_article_chars: int = MAX_ARTICLE_CHARS
) -> tuple[list[RawArticle], list[LoadProblem]]:
    """Every readable article under `path` (a file or a folder, recursively), and what was skipped.

    No file can stop the others from loading: whatever goes wrong in one is named and it is skipped.
    """
    root = Path(path)
    articles: list[RawArticle] = []
    problems: list[LoadProblem] = []
    if not root.exists():
        problems.append(LoadProblem(str(root), "no such file or folder"))
    for file in corpus_files(root):
        found, failed = _load_file_safely(file, max_article_chars)
        for problem in failed:
            log.warning("%s", problem)
        articles.extend(found)
        problems.extend(failed)
    return articles, problems


def _load_file_safely(file: Path, max_chars: int) -> tuple[list[RawArticle], list[LoadProblem]]:
    found: list[RawArticle] = []
    failed: list[LoadProblem] = []
    try:
        for item in _load_file(file):
            if isinstance(item, LoadProblem):
                failed.append(item)
            elif len(item.text) > max_chars:
                failed.append(
                    LoadProblem(
                        item.key,
                        f"article of {len(item.text):,} characters is over the limit of {max_chars:,} "
                        "(NEWSDESK_MAX_ARTICLE_CHARS)",
                        whole_file=item.key == str(file),
                    )
                )
            else:
                found.append(item)
    except RecursionError:
        return [], [LoadProblem(str(file), "JSON nested too deeply to read")]
    except Exception as error:  # a parser bug or a file too big for memory must not stop the rest
        return [], [LoadProblem(str(file), f"could not be read ({type(error).__name__}: {error})")]
    if failed and not found:
        failed = [LoadProblem(p.path, p.reason, whole_file=True) for p in failed]
    return found, failed


def corpus_files(root: Path) -> Iterator[Path]:
    """The supported files under `root` (itself if a file), hidden ones skipped, in a stable order."""
    if root.is_file():
        yield root
        return
    if not root.is_dir():
        return
    for file in sorted(root.rglob("*")):
        hidden = any(part.startswith(".") for part in file.relative_to(root).parts)
        if file.is_file() and not hidden and file.suffix.lower() in SUFFIXES:
            yield file


def _load_file(file: Path) -> Iterator[RawArticle | LoadProblem]:
    suffix = file.suffix.lower()
    if suffix not in SUFFIXES:
        yield LoadProblem(str(file), f"unsupported file type {suffix or '(none)'}")
        return
    try:
        data = file.read_bytes()
    except OSError as error:
        yield LoadProblem(str(file), f"unreadable ({error.strerror or error})")
        return
    if b"\x00" in data[:8192]:
        yield LoadProblem(str(file), "binary content, not text")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        yield LoadProblem(str(file), f"not valid UTF-8 (byte {error.start})")
        return
    if not text.strip():
        yield LoadProblem(str(file), "empty file")
        return
    if suffix in JSON_SUFFIXES:
        yield from _json_records(file, text)
    else:
        yield RawArticle(key=str(file), text=text, is_html=suffix in HTML_SUFFIXES)


def _json_records(file: Path, text: str) -> Iterator[RawArticle | LoadProblem]:
    if file.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            yield LoadProblem(str(file), f"malformed JSON (line {error.lineno}: {error.msg})")
            return
        records = data if isinstance(data, list) else [data]
        numbered = [(number, record) for number, record in enumerate(records, 1)]
    else:
        numbered = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                numbered.append((number, json.loads(line)))
            except json.JSONDecodeError as error:
                yield LoadProblem(f"{file}:{number}", f"malformed JSON line ({error.msg})", whole_file=False)
            except RecursionError:
                yield LoadProblem(f"{file}:{number}", "JSON nested too deeply to read", whole_file=False)
    for number, record in numbered:
        yield _record(file, number, record)


def _record(file: Path, number: int, record: object) -> RawArticle | LoadProblem:
    where = f"{file}:{number}"
    if not isinstance(record, dict):
        return LoadProblem(where, "record is not a JSON object", whole_file=False)
    body = record.get("text") or record.get("content") or record.get("body")
    if not isinstance(body, str) or not body.strip():
        return LoadProblem(where, "record has no 'text'", whole_file=False)
    ident = record.get("id") or record.get("url") or number
    return RawArticle(
        key=f"{file}#{ident}",
        text=body,
        title=_field(record, "title", "headline"),
        date=_field(record, "date", "published_at", "published", "pubdate"),
        date_from="metadata",
        source=_field(record, "source", "sitename", "publisher"),
        url=_field(record, "url", "link"),
        is_html="<p" in body[:2000].lower() or "<html" in body[:2000].lower(),
    )


def _field(record: dict, *names: str) -> str | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
