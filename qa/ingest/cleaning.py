"""Turn raw articles into clean Documents: drop site boilerplate generically, keep the body's sentences.

A news body is made of sentences. Lines that are not sentences (navigation crumbs, share buttons,
headings of link lists, footers), captions, date lines, bare addresses and lines that repeat across
articles of the same source are not body text; some of them still tell the title, date and source.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from pathlib import Path

from qa.ingest.dates import find_dates, normalise_date
from qa.ingest.loaders import RawArticle
from qa.ingest.metadata import NAVIGATION, find_source, find_title
from qa.types import Document

_SENTENCE_END = re.compile(r"""[.!?…]["'”’)\]]*$|[.!?]\s*\(\w[^)]{0,40}\)$""")
_ADDRESS = re.compile(r"^(?:https?://|www\.)\S+$|^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}(?:/\S*)?$", re.I)  # any domain
# Credit words that close a picture caption on any news site: "(Photo by Reuters)", "(File image via AP)".
_CAPTION = re.compile(r"\((?:[^()]*\b(?:photo|image|picture|file|credit|via)\b[^()]*)\)\s*$", re.I)
_LONG_LINE_WORDS = 25


def clean_articles(articles: list[RawArticle]) -> list[Document]:
    """Documents for the articles, with boilerplate removed and metadata found; duplicates dropped."""
    prepared = [_prepare(article) for article in articles]
    repeated = _repeated_lines(prepared)
    documents, seen = [], set()
    for article, lines in prepared:
        document = _clean(article, lines, repeated[_group(article)])
        if document and document.id not in seen:
            seen.add(document.id)
            documents.append(document)
    return documents


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
        source=article.source or data.get("sitename"),
        url=article.url or data.get("url"),
    )


def _group(article: RawArticle) -> str:
    if article.source:
        return article.source.lower()
    return str(Path(article.key.split("#")[0]).parent)


def _repeated_lines(prepared: list[tuple[RawArticle, list[str]]]) -> dict[str, set[str]]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for article, lines in prepared:
        counts[_group(article)].update(set(lines))
    return defaultdict(set, {group: {line for line, n in c.items() if n > 1} for group, c in counts.items()})


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
    return Document(
        id=hashlib.sha1(text.encode("utf-8")).hexdigest()[:16],
        text=text,
        title=title,
        date=normalise_date(article.date) or _date_from(other) or _date_from([article.key]),
        source=article.source or find_source(other),
        url=article.url,
        path=article.key,
    )


def _is_body(line: str, repeated: set[str]) -> bool:
    if line in repeated or _ADDRESS.match(line) or _CAPTION.search(line):
        return False
    if NAVIGATION.search(line) and len(line.split()) <= 8:
        return False
    return bool(_SENTENCE_END.search(line) or line.endswith(":")) or len(line.split()) >= _LONG_LINE_WORDS


def _date_from(lines: list[str]) -> str | None:
    for line in lines:
        dates = find_dates(line)
        if dates:
            return dates[0][0]
    return None


def _title_from_key(key: str) -> str:
    stem = Path(key.split("#")[0]).stem
    words = re.sub(r"^\d{4}-\d{2}-\d{2}[-_]?", "", stem).replace("_", " ").replace("-", " ")
    return words.strip().capitalize() or stem
