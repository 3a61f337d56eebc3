"""Find calendar dates written in news text ("February 3, 2024", "27 Feb 2021", "2024-02-03") and normalise
them with dateparser; a pattern only finds the candidates (day, word, year in either order, or ISO)."""

from __future__ import annotations

import re
from functools import lru_cache

_CANDIDATE = re.compile(
    r"\b(?:[A-Za-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+(?:19|20)\d{2}"
    r"|(?:19|20)\d{2}[-/]\d{1,2}[-/]\d{1,2})\b"
)


def find_dates(text: str) -> list[tuple[str, int, int]]:
    """Every valid date in `text` as (ISO date, start, end), in reading order."""
    found = []
    for match in _CANDIDATE.finditer(text):
        iso = _parse(match.group(0))
        if iso:
            found.append((iso, match.start(), match.end()))
    return found


def normalise_date(value: str | None) -> str | None:
    """An ISO date for a metadata value such as '2024-02-03T10:00:00Z' or 'Feb 3, 2024'."""
    if not value or not value.strip():
        return None
    dates = find_dates(value.replace("T", " "))
    return dates[0][0] if dates else _parse(value.strip()[:64])


@lru_cache(maxsize=4096)
def _parse(text: str) -> str | None:
    import dateparser

    parsed = dateparser.parse(
        text, languages=["en"], settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]}
    )
    return parsed.date().isoformat() if parsed else None
