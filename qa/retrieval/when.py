"""When a question is about: a date expression in it ("last week", "yesterday", "in May 2023") as the range
of publication dates worth reading, relative to the day the question is asked.

spaCy's entity recogniser finds the DATE expressions (a learned model, so "may" the verb is not a month);
dateparser reads each one relative to that day and says whether it names a day, week, month or year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from qa.language import entities, tagged

_REPORTING_LAG = timedelta(days=1)  # news of a day's events is published that day or the next
_SPANS = {"day": timedelta(days=1), "week": timedelta(days=7)}
_VOCABULARY = (
    *("january february march april may june july august september october november december".split()),
    *("monday tuesday wednesday thursday friday saturday sunday".split()),
    *("year month week day century decade fortnight".split()),
)  # the keys of dateparser's English data whose words name a time


@dataclass(frozen=True)
class DateRange:
    """Publication dates that fit a date expression of the question."""

    since: date
    until: date
    expression: str

    def describe(self) -> str:
        return f"articles published {self.since} to {self.until} (“{self.expression}”)"


def date_range_in(question: str, today: date) -> DateRange | None:
    """The publication range the question's first point-in-time expression asks about, or None.

    A duration ("for 16 years", "three days") is not a point in time and is left alone; "two weeks ago" is.
    """
    if not may_name_a_time(question):
        return None
    doc = entities(question)
    for entity in doc.ents:
        if entity.label_ != "DATE":
            continue
        if not doc.has_annotation("TAG"):
            tagged(doc)  # only a question naming a time needs tags (is it a duration?)
        if _is_duration(entity):
            continue
        found = _read(entity.text, today)
        if found:
            return found
    return None


def may_name_a_time(question: str) -> bool:
    """Whether `question` holds anything dateparser could read as a time: a digit or one of its own English
    date words (months, weekdays, units, "yesterday"). Questions without one skip spaCy and dateparser."""
    return any(c.isdigit() for c in question) or not _date_words().isdisjoint(re.findall(r"[a-z]+", question.lower()))


@lru_cache(maxsize=1)
def _date_words() -> frozenset[str]:
    """dateparser's English vocabulary of dates, words of three letters or more ("jan", "monday", "weeks",
    "yesterday"), without the words that only modify one ("this", "last", "ago")."""
    from dateparser.data.date_translation_data import en

    names = [name for key in _VOCABULARY for name in en.info.get(key, [])]
    phrases = [phrase for phrases in en.info["relative-type"].values() for phrase in phrases]
    words = {word for text in names + phrases for word in re.findall(r"[a-z]+", text.lower()) if len(word) >= 3}
    return frozenset(words - {"this", "last", "next", "ago", "till", "date", "the", "and"})


def _is_duration(entity) -> bool:
    return entity[-1].tag_ == "NNS" and not any(token.lower_ == "ago" for token in entity)


def _read(expression: str, today: date) -> DateRange | None:
    from dateparser.date import DateDataParser

    settings = {"RELATIVE_BASE": datetime.combine(today, datetime.min.time()), "PREFER_DATES_FROM": "past"}
    parsed = DateDataParser(languages=["en"], settings={**settings, "RETURN_TIME_AS_PERIOD": True}).get_date_data(
        expression
    )
    if parsed.date_obj is None or parsed.period not in ("day", "week", "month", "year"):
        return None
    day = parsed.date_obj.date()
    if parsed.period == "month":
        since = day.replace(day=1)
        until = day.replace(day=calendar.monthrange(day.year, day.month)[1]) + _REPORTING_LAG
    elif parsed.period == "year":
        since, until = date(day.year, 1, 1), date(day.year, 12, 31) + _REPORTING_LAG
    else:
        span = _SPANS[parsed.period]
        since, until = day - span, day + span
    until = min(until, today)
    return DateRange(since, until, expression) if since <= until else None
