"""Read what an article says of itself in the conventions news is written in: a dateline opening the body
("WASHINGTON (AP) —", "PORTVILLE, March 4, 2025 (Portville Gazette) —", "London (CNN)", "New York CNN —"),
a byline ("By Jane Doe and John Roe, Reuters"), and a "Published ..." or "Updated ..." line. Each finding
says where it was found, so a reader can weigh it; metadata, where an article has it, comes first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.ingest.dates import find_dates

_DASH = r"\s*[—–]|\s+-{1,2}"  # an em or en dash, or a spaced hyphen, closes a dateline
_PLACE = r"[A-Z][\w.'’]*(?:[ -][A-Z][\w.'’]*){0,3}(?:,\s*[A-Z][\w.'’]*(?: [A-Z][\w.'’]*){0,2})?"
_OUTLET = r"[A-Z][\w&.'’]*(?: [A-Z&][\w&.'’]*){0,3}"
_WHEN = r"[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]{2,8} \d{4}"
# PLACE[, DATE] (OUTLET) [dash] — the parentheses alone mark the outlet, so the dash may be missing ("London (CNN)")
_PARENTHESISED = re.compile(
    rf"^(?:(?P<place>{_PLACE})(?:,\s*(?P<when>{_WHEN}))?\s*)?\((?P<outlet>{_OUTLET})\)(?:{_DASH})?"
)
# PLACE[, DATE] OUTLET dash — a bare outlet must be an acronym-led name ("CNN", "AFP", "CNN Business")
_BARE = re.compile(
    rf"^(?P<place>{_PLACE}?)(?:,\s*(?P<when>{_WHEN}))?\s+(?P<outlet>[A-Z]{{2,}}(?: [A-Z][a-z]+)?)(?:{_DASH})"
)
_ONLY_OUTLET = re.compile(rf"^(?P<outlet>[A-Z]{{2,}}(?: [A-Z][a-z]+)?)(?:{_DASH})\s*$")  # "CNN —" on its own line
_NAME = r"[A-Z][\w.'’-]*(?: (?:[A-Z][\w.'’-]*|de|van|von|al|bin|da|del|la|le)){1,4}"
_BYLINE = re.compile(r"^By:?\s+(?P<rest>[^.!?]{3,150}?)\.?$")
_BYLINE_NAMES = re.compile(rf"^{_NAME}(?:\s+(?:and|&)\s+{_NAME})*$")
_BYLINE_OUTLET = re.compile(rf"^{_OUTLET}$")
_STAMP = re.compile(r"^(?P<kind>Published|Updated|Posted|First published)\b:?\s*(?P<rest>.+)$", re.I)
LOOK_AT_LINES = 8  # a dateline, byline or time stamp comes within the first lines of an article


@dataclass(frozen=True)
class SelfDescription:
    """What an article's own lines say of it; each `*_from` names where the value was found."""

    date: str | None = None
    date_from: str | None = None
    source: str | None = None
    source_from: str | None = None
    author: str | None = None
    author_from: str | None = None


def read_self_description(lines: list[str]) -> SelfDescription:
    """The date, outlet and author the first lines of an article give (None where none does). A date the
    article says it was published on comes before its dateline's, and that before an "Updated" time."""
    found: dict[str, str] = {}
    dates: dict[str, tuple[str, str]] = {}  # kind of line -> (ISO date, where)
    for line in lines[:LOOK_AT_LINES]:
        _read_line(line.strip(), found, dates)
    for kind in ("published", "dateline", "updated"):
        if kind in dates:
            found["date"], found["date_from"] = dates[kind]
            break
    return SelfDescription(**found)


def _read_line(line: str, found: dict[str, str], dates: dict[str, tuple[str, str]]) -> None:
    byline = _byline(line)
    if byline:
        _keep(found, "author", byline[0], "the byline")
        _keep(found, "source", byline[1], "the byline")
        return
    stamp = _STAMP.match(line)
    if stamp and len(line) <= 120:
        said = find_dates(stamp.group("rest"))
        kind = "updated" if stamp.group("kind").lower() == "updated" else "published"
        if said:
            dates.setdefault(kind, (said[0][0], f"the “{stamp.group('kind').capitalize()}” line"))
        return
    dateline = _parenthesised(line) or _bare(line) or _ONLY_OUTLET.match(line)
    if dateline:
        _keep(found, "source", dateline.group("outlet"), "the dateline")
        when = dateline.groupdict().get("when")
        said = find_dates(when) if when else []
        if said:
            dates.setdefault("dateline", (said[0][0], "the dateline"))


def _parenthesised(line: str) -> re.Match | None:
    """A dateline with the outlet in brackets, unless the brackets abbreviate the words before them, as a
    name is introduced ("The World Meteorological Organization (WMO) said")."""
    match = _PARENTHESISED.match(line)
    if not match:
        return None
    capitals = [c for c in match.group("outlet") if c.isupper()]
    initials = [word[0] for word in (match.group("place") or "").split() if word[:1].isupper()]
    return None if len(capitals) > 1 and capitals == initials[-len(capitals) :] else match


def _bare(line: str) -> re.Match | None:
    """A dateline with a bare outlet after a place in mixed case ("New York CNN —"): after a place in
    capitals ("NEW DELHI —") the last word is still the place, not an outlet."""
    match = _BARE.match(line)
    return match if match and not match.group("place").isupper() else None


def _keep(found: dict[str, str], name: str, value: str | None, where: str) -> None:
    """The first finding of each kind stands."""
    if value and name not in found:
        found[name] = value.strip()
        found[f"{name}_from"] = where


def _byline(line: str) -> tuple[str, str | None] | None:
    """(authors, outlet) of "By Jane Doe", "By Jane Doe, Reuters", "By Jane Doe and John Roe | Reuters" or
    "By Jane Doe, John Roe and Ann Poe": after a comma or bar, the last part is the outlet unless it ends a
    list of names with "and"."""
    match = _BYLINE.match(line)
    if not match:
        return None
    parts = re.split(r"\s*[,|]\s*", match.group("rest").strip())
    outlet = None
    if len(parts) > 1 and not re.search(r"\s(?:and|&)\s", parts[-1]) and _BYLINE_OUTLET.match(parts[-1]):
        outlet = parts.pop()
    if not all(_BYLINE_NAMES.match(part) for part in parts):
        return None
    names = [name for part in parts for name in re.split(r"\s+(?:and|&)\s+", part)]
    return ", ".join(names), outlet
