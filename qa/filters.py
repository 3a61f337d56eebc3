"""Which articles a question may draw on: a publication-date range, an as-of day, and sources."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np

from qa.errors import InvalidQuestion
from qa.ingest.dates import normalise_date
from qa.types import Document

NOTHING_MATCHES = "no indexed article matches the filters"


@dataclass(frozen=True)
class Filters:
    """`since`/`until` keep articles published in that range (undated ones are left out: their date is not
    known to be inside it); `as_of` leaves out articles published after that day (undated ones stay: a
    reader on that day could have read them); `sources` keeps those outlets (case does not matter)."""

    since: date | None = None
    until: date | None = None
    as_of: date | None = None
    sources: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        *,
        since: str | date | None = None,
        until: str | date | None = None,
        as_of: str | date | None = None,
        sources: list[str] | tuple[str, ...] | str | None = None,
    ) -> Filters:
        """Filters from user input; a date that cannot be read is an InvalidQuestion naming it."""
        if isinstance(sources, str):
            sources = [sources]
        filters = cls(
            _day(since, "since"),
            _day(until, "until"),
            _day(as_of, "as of"),
            tuple(s.strip() for s in sources or () if s and s.strip()),
        )
        if filters.since and filters.until and filters.since > filters.until:
            raise InvalidQuestion(f"'since' ({filters.since}) is after 'until' ({filters.until}): swap them")
        return filters

    def refusal(self) -> str:
        """Why nothing was answered when no indexed article passes these filters."""
        return f"{NOTHING_MATCHES} ({self.describe()})"

    @property
    def active(self) -> bool:
        return bool(self.since or self.until or self.as_of or self.sources)

    def allows(self, document: Document) -> bool:
        return self.admits(document.date, document.source)

    def admits(self, published_on: str | None, source: str | None) -> bool:
        """Whether an article published on that ISO date (or undated) by that outlet passes."""
        published = date.fromisoformat(published_on) if published_on else None
        if (self.since or self.until) and published is None:
            return False
        if published and (
            (self.since and published < self.since)
            or (self.until and published > self.until)
            or (self.as_of and published > self.as_of)
        ):
            return False
        return not self._sources or (source or "").lower() in self._sources

    def admitted(self, days: np.ndarray, outlets: np.ndarray) -> np.ndarray:
        """`admits` for many articles at once (what an index asks per question): `days` are publication
        dates as proleptic ordinals, 0 for undated; `outlets` are sources lower-cased, "" for none."""
        dated = days > 0
        allowed = dated.copy() if self.since or self.until else np.ones(len(days), dtype=bool)
        for bound, keep in ((self.since, np.greater_equal), (self.until, np.less_equal), (self.as_of, np.less_equal)):
            if bound:
                allowed &= ~dated | keep(days, bound.toordinal())
        if self._sources:
            allowed &= np.isin(outlets, list(self._sources))
        return allowed

    @cached_property
    def _sources(self) -> frozenset[str]:
        return frozenset(s.lower() for s in self.sources)

    def describe(self) -> str:
        """'published 2024-01-01 to 2024-03-01, from Press TV' — for refusals and the UI."""
        parts = []
        if self.since or self.until:
            parts.append(f"published {self.since or 'any time'} to {self.until or 'now'}")
        if self.as_of:
            parts.append(f"published by {self.as_of}")
        if self.sources:
            parts.append("from " + " or ".join(self.sources))
        return ", ".join(parts)


def _day(value: str | date | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if not str(value).strip():
        return None
    iso = normalise_date(str(value))
    if iso is None:
        raise InvalidQuestion(f"'{name}' must be a date such as 2024-02-03, not {str(value)[:40]!r}")
    return date.fromisoformat(iso)
