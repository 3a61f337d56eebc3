"""Turn raw articles into clean Documents: drop site boilerplate generically, keep the body's sentences.

A news body is made of sentences. Lines that are not sentences (navigation crumbs, share buttons,
headings of link lists, footers), captions, date lines, bare addresses and short non-sentence lines that
repeat across articles of the same source are not body text; some of them still tell the title, date and
source. A sentence is never dropped for being repeated: two outlets carrying one wire story keep it, and
an article seen twice is kept once.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qa.ingest.datelines import SelfDescription, read_self_description
from qa.ingest.dates import find_dates, normalise_date
from qa.ingest.loaders import LoadProblem, RawArticle, file_of
from qa.ingest.metadata import NAVIGATION, find_source, find_title
from qa.types import Document

_SENTENCE_END = re.compile(r"""[.!?…]["'”’)\]]*$|[.!?]\s*\(\w[^)]{0,40}\)$""")
_ADDRESS = re.compile(r"^(?:https?://|www\.)\S+$|^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}(?:/\S*)?$", re.I)  # any domain
# Credit words that close a picture caption on any news site: "(Photo by Reuters)", "(File image via AP)".
_CAPTION = re.compile(r"\((?:[^()]*\b(?:photo|image|picture|file|credit|via)\b[^()]*)\)\s*$", re.I)
_LONG_LINE_WORDS = 25
_FURNITURE_WORDS = 12  # a repeated line this short that is not a sentence is site furniture


@dataclass
class CleanCorpus:
    """The cleaned documents, the articles that failed (named), and the duplicates kept once."""

    documents: list[Document] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    duplicates: dict[str, str] = field(default_factory=dict)  # key of the copy -> path of the kept article


def clean_corpus(articles: list[RawArticle]) -> CleanCorpus:
    """Documents for the articles, boilerplate removed and metadata found; an article that cannot be cleaned
    is named and skipped, and an article whose body is already in the corpus is kept once."""
    result = CleanCorpus()
    prepared = []
    for article in articles:
        try:
            prepared.append(_prepare(article))
        except Exception as error:  # one page that breaks the HTML parser must not stop the corpus
            result.problems.append(_failure(article, error))
    repeated = _repeated_lines(prepared)
    kept: dict[str, Document] = {}
    for article, lines in prepared:
        try:
            document = _clean(article, lines, repeated[_group(article)])
        except Exception as error:
            result.problems.append(_failure(article, error))
            continue
        if document is None:
            continue
        if document.id in kept:
            result.duplicates[article.key] = kept[document.id].path
            continue
        kept[document.id] = document
        result.documents.append(document)
    return result


def clean_articles(articles: list[RawArticle]) -> list[Document]:
    """The cleaned documents alone (see `clean_corpus`)."""
    return clean_corpus(articles).documents


def _failure(article: RawArticle, error: Exception) -> LoadProblem:
    return LoadProblem(
        article.key, f"could not be cleaned ({type(error).__name__}: {error})", file_of(article.key) == article.key
    )


def _prepare(article: RawArticle) -> tuple[RawArticle, list[str]]:
    if article.is_html:
        article = _from_html(article)
    lines = [re.sub(r"\s+", " ", line).strip() for line in article.text.splitlines()]
    return article, [line for line in lines if line]


def _from_html(article: RawArticle) -> RawArticle:
    import trafilatura

    extracted = trafilatura.bare_extraction(article.text, with_metadata=True, favor_recall=True)
    if extracted is None:
        return RawArticle(key=article.key, text="", title=article.title)
    data = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    return RawArticle(
        key=article.key,
        text=data.get("text") or "",
        title=article.title or data.get("title"),
        date=article.date or data.get("date"),
        date_from=article.date_from if article.date else "the page's metadata",
        source=article.source or data.get("sitename"),
        url=article.url or data.get("url"),
    )


def _group(article: RawArticle) -> str:
    if article.source:
        return article.source.lower()
    return str(Path(file_of(article.key)).parent)


def _repeated_lines(prepared: list[tuple[RawArticle, list[str]]]) -> dict[str, set[str]]:
    """Per source: the short non-sentence lines found in more than one of its articles."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for article, lines in prepared:
        counts[_group(article)].update({line for line in lines if _may_be_furniture(line)})
    return defaultdict(set, {group: {line for line, n in c.items() if n > 1} for group, c in counts.items()})


def _may_be_furniture(line: str) -> bool:
    return len(line.split()) <= _FURNITURE_WORDS and not _SENTENCE_END.search(line)


def _clean(article: RawArticle, lines: list[str], repeated: set[str]) -> Document | None:
    body, other, head = [], [], []
    for line in lines:
        if _is_body(line, repeated):
            body.append(line)
        else:
            other.append(line)
            if not body:
                head.append(line)
    while body and body[-1].endswith(":"):
        other.append(body.pop())
    if not body:
        body = [line for line in lines if not (NAVIGATION.search(line) or line in repeated)]
    text = "\n\n".join(body).strip()
    if not text:
        return None
    title = article.title or find_title(head, body[0] if body else None, repeated) or _title_from_key(article.key)
    itself = read_self_description(lines)
    published, published_from = _publication_date(article, itself, other)
    source, source_from = next(
        (
            (found, where)
            for found, where in (
                (article.source, "metadata"),
                (itself.source, itself.source_from),
                (find_source(other), "the site's repeated lines"),
            )
            if found
        ),
        (None, None),
    )
    return Document(
        id=hashlib.sha1(text.encode("utf-8")).hexdigest()[:16],
        text=text,
        title=title,
        date=published,
        date_from=published_from,
        source=source,
        source_from=source_from,
        author=itself.author,
        author_from=itself.author_from,
        url=article.url,
        path=article.key,
    )


def _is_body(line: str, repeated: set[str]) -> bool:
    if line in repeated or _ADDRESS.match(line) or _CAPTION.search(line):
        return False
    if NAVIGATION.search(line) and len(line.split()) <= 8:
        return False
    return bool(_SENTENCE_END.search(line) or line.endswith(":")) or len(line.split()) >= _LONG_LINE_WORDS


def _publication_date(article: RawArticle, itself: SelfDescription, other: list[str]) -> tuple[str | None, str | None]:
    """The article's date and where it was found: its metadata, its own "Published" line or dateline, a
    caption or other line around the body, its URL, its file name; (None, None) when none of them gives one
    (an undated article stays undated). A date in the body never overrides metadata."""
    candidates = (
        (normalise_date(article.date), article.date_from or "metadata"),
        (itself.date, itself.date_from),
        (_date_from(other), "a caption or a line beside the body"),
        (_date_from([article.url or ""]), "the URL"),
        (_date_from([Path(file_of(article.key)).name]), "the file name"),
    )
    return next(((found, where) for found, where in candidates if found), (None, None))


def _date_from(lines: list[str]) -> str | None:
    for line in lines:
        dates = find_dates(line)
        if dates:
            return dates[0][0]
    return None


def _title_from_key(key: str) -> str:
    stem = Path(file_of(key)).stem
    words = re.sub(r"^\d{4}-\d{2}-\d{2}[-_]?", "", stem).replace("_", " ").replace("-", " ")
    return words.strip().capitalize() or stem
