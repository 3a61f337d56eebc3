"""What a question asks for: the expected answer type and the terms an answer must speak about."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.terms import Term, terms_of

NUMBER = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT")
DATE = ("DATE", "TIME")
PERSON = ("PERSON", "ORG")
PLACE = ("GPE", "LOC", "FAC")
ORGANISATION = ("ORG", "NORP")
ENTITY = ("PRODUCT", "ORG", "PERSON", "GPE", "NORP", "FAC", "EVENT", "LAW", "WORK_OF_ART", "LOC")

_FOCUS_TYPES = {
    "date": DATE,
    "year": DATE,
    "month": DATE,
    "day": DATE,
    "time": DATE,
    "decade": DATE,
    "century": DATE,
    "country": PLACE,
    "city": PLACE,
    "town": PLACE,
    "province": PLACE,
    "place": PLACE,
    "region": PLACE,
    "state": PLACE,
    "village": PLACE,
    "area": PLACE,
    "location": PLACE,
    "border": PLACE,
    "base": PLACE + ("ORG",),
    "group": ORGANISATION,
    "organization": ORGANISATION,
    "organisation": ORGANISATION,
    "movement": ORGANISATION,
    "militia": ORGANISATION,
    "agency": ORGANISATION,
    "party": ORGANISATION,
    "company": ORGANISATION,
    "faction": ORGANISATION,
    "alliance": ORGANISATION,
    "ministry": ORGANISATION,
    "force": ORGANISATION,
    "forces": ORGANISATION,
    "network": ORGANISATION,
    "team": ORGANISATION,
    "club": ORGANISATION,
    "person": PERSON,
    "official": PERSON,
    "leader": PERSON,
    "spokesman": PERSON,
    "spokeswoman": PERSON,
    "spokesperson": PERSON,
    "minister": PERSON,
    "president": PERSON,
    "commander": PERSON,
    "secretary": PERSON,
    "percentage": ("PERCENT",),
    "percent": ("PERCENT",),
    "price": ("MONEY",),
    "cost": ("MONEY",),
    "amount": NUMBER,
    "number": NUMBER,
    "nationality": ("NORP",),
    "magnitude": NUMBER,
    "toll": NUMBER,
    "total": NUMBER,
    "score": NUMBER,
    "age": NUMBER,
}
_KINDS = {DATE: "date", PLACE: "place", ORGANISATION: "organisation", PERSON: "person", NUMBER: "number"}
_TIME_UNITS = {
    "second",
    "seconds",
    "minute",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "decade",
    "decades",
}
_COUNTED = {
    "people",
    "persons",
    "person",
    "individuals",
    "men",
    "women",
    "children",
    "others",
    "times",
    "type",
    "kind",
    "sort",
    "name",
    "part",
}
_PREPOSITION = re.compile(
    r"\b(?:in|at|on|of|before|after|during|for|from|near|by|with|to|into|against|over|"
    r"under|since|between|about|across|through)\b",
    re.I,
)
_WH = re.compile(
    r"\b(how\s+(?:many|much|long|old|far)|(?:what|which)\s+(?:number|amount)\s+of|when|who|whom|whose|where|which|what|why|how)\b",
    re.I,
)
_WHICH_X = re.compile(r"\b(?:which|what)\s+(?:(?:kind|type|sort)\s+of\s+)?([a-z-]+)(?:\s+([a-z-]+))?", re.I)
_NOT_FOCUS = {
    "is",
    "was",
    "were",
    "are",
    "did",
    "does",
    "do",
    "has",
    "have",
    "had",
    "will",
    "would",
    "can",
    "could",
    "should",
    "the",
    "a",
    "an",
    "happened",
    "happens",
    "about",
    "of",
    "to",
    "for",
}


@dataclass(frozen=True)
class Question:
    """A question with its expected answer `kind`, the entity labels that fit it, and its terms."""

    text: str
    kind: str
    labels: tuple[str, ...]
    focus: str | None
    terms: tuple[Term, ...]
    head: tuple[Term, ...] = ()
    wh: str = ""

    @property
    def proper_terms(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.proper)

    @property
    def key_terms(self) -> tuple[Term, ...]:
        """What is asked about: the first common terms ("warning" in "how much warning did Russia get")."""
        head = [term for term in self.head if not term.proper and term.word not in _COUNTED]
        common = [term for term in self.terms if not term.proper and term.word not in _COUNTED]
        return tuple(head) or tuple(common[:2]) or self.terms


def analyse(text: str) -> Question:
    """Classify `text` by its wh-word (and the noun after which/what) into an expected answer type."""
    kind, labels, focus = _classify(text)
    return Question(
        text=text,
        kind=kind,
        labels=labels,
        focus=focus,
        terms=tuple(terms_of(text)),
        head=tuple(terms_of(_head_clause(text))),
    )


def _head_clause(text: str) -> str:
    """The words between the wh-phrase and the first preposition: what is asked ("were injured")."""
    match = _WH.search(text)
    rest = text[match.end() :] if match else text
    return _PREPOSITION.split(rest, maxsplit=1)[0]


def _classify(text: str) -> tuple[str, tuple[str, ...], str | None]:
    match = _WH.search(text)
    if not match:
        return "sentence", (), None
    wh = " ".join(match.group(1).lower().split())
    if wh.endswith(" of"):
        return "number", NUMBER, None
    if wh == "how many":
        counted = text[match.end() :].split()[:1]
        if counted and counted[0].lower().strip("?,.") in _TIME_UNITS:
            return "number", NUMBER + DATE, None
        return "number", NUMBER, None
    if wh == "how much":
        return "number", NUMBER + ("TIME",), None
    if wh in ("how long", "how old", "how far"):
        return "number", NUMBER + DATE, None
    if wh == "when":
        return "date", DATE, None
    if wh in ("who", "whom", "whose"):
        return "person", PERSON, None
    if wh == "where":
        return "place", PLACE, None
    if wh in ("which", "what"):
        which = _WHICH_X.match(text, match.start())
        if which:
            focus = which.group(1).lower()
            if focus in _NOT_FOCUS:
                return "sentence", (), None
            labels = _FOCUS_TYPES.get(focus) or _FOCUS_TYPES.get((which.group(2) or "").lower())
            if labels:
                return _KINDS.get(labels, "entity"), labels, focus
            return "entity", ENTITY, focus
    return "sentence", (), None
