"""Text normalisation shared by the stages: answers (case, punctuation, articles, number words), apostrophes,
stems, and control characters."""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import Stemmer

# English number words, so "three" and "3" are one answer (SQuAD's official normalisation, plus numbers).
_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORDS = {word: str(value) for value, word in enumerate(_UNITS)}
NUMBER_WORDS.update({word: str(20 + 10 * i) for i, word in enumerate(_TENS)})
NUMBER_WORDS.update({"hundred": "100", "thousand": "1000", "dozen": "12"})
_PUNCTUATION = str.maketrans({c: " " for c in string.punctuation + "“”‘’—–"})


# C0/C1 controls but tab and newline, and the bidirectional overrides that can reorder what a reader sees.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str, replacement: str = "") -> str:
    """`text` without control characters (escape sequences, bidirectional overrides); tabs and newlines stay."""
    return _CONTROL.sub(replacement, text)


_APOSTROPHE = re.compile(r"(?<=\w)['’`ʼ](?=\w)")


def fold_apostrophes(text: str) -> str:
    """Drop apostrophes inside words, so "Qa'im" and "Qaim" are one word."""
    return _APOSTROPHE.sub("", text)


@lru_cache(maxsize=1)
def stemmer() -> Stemmer.Stemmer:
    """The one English Snowball stemmer (PyStemmer) that keyword search and window selection share."""
    import Stemmer

    return Stemmer.Stemmer("english")


def normalise_answer(text: str) -> str:
    """Lower case, no punctuation or articles, number words as digits, thousands separators dropped."""
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.lower())
    text = fold_apostrophes(text)
    words = text.translate(_PUNCTUATION).split()
    words = [NUMBER_WORDS.get(word, word) for word in words if word not in {"a", "an", "the"}]
    return " ".join(words)


def is_figure(text: str) -> bool:
    """Whether an answer states a number or a date ("16", "about 40", "January 28"), as opposed to a name."""
    return any(token.isdigit() for token in normalise_answer(text).split())


def answer_tokens(text: str) -> list[str]:
    return normalise_answer(text).split()
