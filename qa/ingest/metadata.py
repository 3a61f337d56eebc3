"""Find an article's headline and publishing source among the lines that are not its body."""

from __future__ import annotations

import re
from collections import Counter

from qa.ingest.dates import find_dates

_HEADING = re.compile(r"^#{1,3}\s+")
NAVIGATION = re.compile(r"\s[/|›»>]\s|^[/|›»>]|\s[/|›»>]$")  # "News / Iraq", "Home | World"
_CAPITALISED = re.compile(r"[A-Z][\w&.-]*")
_DOMAIN = re.compile(r"(?:https?://)?(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})", re.I)


def find_title(head: list[str], first_body: str | None, repeated: set[str]) -> str | None:
    """The headline: a markdown heading, else the first headline-shaped line above the body."""
    for line in head:
        if _HEADING.match(line):
            return _HEADING.sub("", line).strip()
    for line in head:
        if _looks_like_headline(line, repeated):
            return line
    if first_body:
        sentence = re.split(r"(?<=[.!?])\s", first_body, maxsplit=1)[0]
        return sentence if len(sentence) <= 120 else sentence[:117].rsplit(" ", 1)[0] + "..."
    return None


def find_source(other: list[str]) -> str | None:
    """The site's name: a capitalised phrase shared by several boilerplate lines, else a domain named there."""
    counts: Counter[str] = Counter()
    for line in other:
        if line.isupper():
            continue
        words = [word.removesuffix("'s").removesuffix("’s") for word in line.split()]
        phrases = set()
        for size in (3, 2):
            for i in range(len(words) - size + 1):
                gram = words[i : i + size]
                if all(_CAPITALISED.fullmatch(word) for word in gram):
                    phrases.add(" ".join(gram))
        counts.update(phrases)
    shared = [(n, len(phrase), phrase) for phrase, n in counts.items() if n > 1]
    if shared:
        return max(shared)[2]
    for line in other:
        match = _DOMAIN.fullmatch(line.strip())
        if match:
            return match.group(1).lower()
    return None


def _looks_like_headline(line: str, repeated: set[str]) -> bool:
    words = line.split()
    if line in repeated or len(words) < 3 or len(words) > 30 or NAVIGATION.search(line):
        return False
    if line.isupper() or find_dates(line) and len(words) < 12:
        return False
    return not line.endswith(":")
