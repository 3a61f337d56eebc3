"""How much of a question a text covers: its stemmed content words and the names it asks about."""

from __future__ import annotations

import re
from functools import lru_cache

from qa.normalise import fold_apostrophes, stemmer
from qa.types import Document

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def stems(text: str, *, names_only: bool = False) -> frozenset[str]:
    """Stemmed content words (spaCy's English stop words left out); `names_only` keeps capitalised words
    after the first word, which is how a question names people, places and events."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = _WORD.findall(fold_apostrophes(text))
    if names_only:
        words = [word for word in words[1:] if word[:1].isupper()]
    return frozenset(stemmer().stemWords(list({word.lower() for word in words} - STOP_WORDS)))


def names_mentioned(names: frozenset[str], document: Document) -> int:
    """How many of the question's names the article mentions anywhere, headline included."""
    return len(names & stems(f"{document.title} {document.text}")) if names else 0
