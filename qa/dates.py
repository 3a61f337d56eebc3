"""Find and normalise calendar dates written in news text ("February 3, 2024", "27 February 2021")."""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_PATTERNS = [
    re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})\b"),
]


def find_dates(text: str) -> list[tuple[str, int, int]]:
    """Every valid date in `text` as (ISO date, start, end), in reading order."""
    found = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            iso = _iso(match)
            if iso:
                found.append((iso, match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


def first_date(text: str) -> str | None:
    """The first date written in `text`, as an ISO string."""
    dates = find_dates(text)
    return dates[0][0] if dates else None


def normalise_date(value: str | None) -> str | None:
    """An ISO date for a metadata value such as '2024-02-03T10:00:00Z' or 'Feb 3, 2024'."""
    if not value:
        return None
    return first_date(value.replace("T", " "))


def _iso(match: re.Match) -> str | None:
    month_text = match.group("month")
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower().rstrip("."))
    try:
        return date(int(match.group("year")), month or 0, int(match.group("day"))).isoformat()
    except ValueError:
        return None
