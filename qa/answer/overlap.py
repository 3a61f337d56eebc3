"""How much of a question a text covers: its stemmed content words and the names it asks about."""

from __future__ import annotations

import re
from functools import lru_cache

from qa.language import stop_words
from qa.normalise import fold_apostrophes, stemmer
from qa.types import Document

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def stems(text: str, *, names_only: bool = False) -> frozenset[str]:
    """Stemmed content words (spaCy's English stop words left out); `names_only` keeps capitalised words
    after the first word, which is how a question names people, places and events."""
    words = _WORD.findall(fold_apostrophes(text))
    if names_only:
        words = [word for word in words[1:] if word[:1].isupper()]
    return frozenset(stemmer().stemWords(list({word.lower() for word in words} - stop_words())))


def content_words(text: str) -> dict[str, str]:
    """The question's content words (lower-cased, spaCy's English stop words left out), each with its stem."""
    words = sorted({word.lower() for word in _WORD.findall(fold_apostrophes(text))} - stop_words())
    return dict(zip(words, stemmer().stemWords(words), strict=True))


def names_mentioned(names: frozenset[str], document: Document) -> int:
    """How many of the question's names the article mentions anywhere, headline included. Only the article's
    words that begin like a name are stemmed (a stem keeps its word's start, but for a last letter:
    "germani" for "Germany")."""
    if not names:
        return 0
    words = _words_by_start(f"{document.title} {document.text}")
    found: set[str] = set()
    for name in names:
        start = name[:-1] or name
        candidates = words.get(start[:2], ()) if len(start) > 1 else (w for group in words.values() for w in group)
        for word in candidates:
            if word.startswith(start):
                found |= stems(word)
    return len(names & found)


@lru_cache(maxsize=256)
def _words_by_start(text: str) -> dict[str, tuple[str, ...]]:
    """The distinct words of `text`, apostrophes folded and lower-cased, grouped by their first two letters."""
    groups: dict[str, set[str]] = {}
    for word in set(_WORD.findall(fold_apostrophes(text).lower())):
        groups.setdefault(word[:2], set()).add(word)
    return {start: tuple(group) for start, group in groups.items()}
