"""Content terms of a text, compared by stem and by news-wording synonyms ("killed" ~ "death of")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qa.keyword import normalise
from qa.normalise import fold_apostrophes

# Groups of words that news reports use for the same thing; matched by stem.
_SYNONYMS = [
    "kill killed killing death deaths die died dead dying fatality fatalities martyr martyred lives toll",
    "injure injured injuring injury injuries wound wounded wounding hurt casualty casualties",
    "say said says state stated statement claim claimed tell told announce announced add added according "
    "speak spoke spoken comment commented remark remarked",
    "respond responded response reply replied react reacted reaction reject rejected deny denied dismiss",
    "attack attacked strike strikes struck airstrike airstrikes raid raids bomb bombed bombing assault hit",
    "vote voted ballot approve approved pass passed resolution",
    "aircraft plane planes jet jets warplane warplanes bomber bombers fighter drone drones",
    "soldier soldiers troop troops personnel servicemember servicemembers military",
    "withdraw withdrawal expel expulsion expelled leave pull pullout exit",
    "condemn condemned denounce denounced criticise criticize slam slammed",
    "warn warned warning notice notified inform informed",
    "leader head chief lead leads led heads chairman",
    "town city village",
    "begin began start started launch launched",
    "buy bought purchase purchased acquire acquired",
    "win won victory defeat defeated beat",
    "cost price paid pay worth",
    "arrest arrested detain detained",
]
_STOP = frozenset(
    (
        "a about above after again against all am an and any are as at be because been before being below "
        "between both but by can could did do does doing down during each few for from further had has have "
        "having he her here hers herself him himself his how i if in into is it its itself just me more most "
        "my myself no nor not now of off on once only or other our ours ourselves out over own same she "
        "should so some such than that the their theirs them themselves then there these they this those "
        "through to too under until up very was we were what when where which while who whom whose why will "
        "with would you your yours yourself many much also there's what's who's did does tell please know "
        "give name describe explain happen happened "
    ).split()
)
_WORD = re.compile(r"[\w-]+")
# Irregular English verb forms, so "wrote" meets "written" and "took" meets "taken".
_IRREGULAR = {
    form: base
    for base, forms in {
        "write": "wrote written writes",
        "take": "took taken takes",
        "give": "gave given gives",
        "begin": "began begun begins",
        "choose": "chose chosen",
        "drive": "drove driven",
        "eat": "ate eaten",
        "fall": "fell fallen",
        "fly": "flew flown flies",
        "forget": "forgot forgotten",
        "freeze": "froze frozen",
        "go": "went gone goes",
        "grow": "grew grown",
        "know": "knew known",
        "ride": "rode ridden",
        "rise": "rose risen",
        "see": "saw seen",
        "shake": "shook shaken",
        "speak": "spoke spoken",
        "steal": "stole stolen",
        "swim": "swam swum",
        "throw": "threw thrown",
        "wear": "wore worn",
        "win": "won",
        "build": "built",
        "buy": "bought",
        "bring": "brought",
        "catch": "caught",
        "teach": "taught",
        "think": "thought",
        "fight": "fought",
        "seek": "sought",
        "find": "found",
        "hold": "held",
        "lead": "led",
        "leave": "left",
        "lose": "lost",
        "make": "made",
        "meet": "met",
        "pay": "paid",
        "say": "said",
        "sell": "sold",
        "send": "sent",
        "spend": "spent",
        "stand": "stood",
        "tell": "told",
        "feel": "felt",
        "keep": "kept",
        "sleep": "slept",
        "hear": "heard",
        "flee": "fled",
        "shoot": "shot",
        "strike": "struck stricken",
        "become": "became",
        "come": "came",
        "run": "ran",
        "sing": "sang sung",
        "draw": "drew drawn",
        "break": "broke broken",
        "hide": "hid hidden",
    }.items()
    for form in forms.split()
}


@dataclass(frozen=True)
class Term:
    """A content word: its surface form, its stem, and whether it was written as a proper name."""

    word: str
    stem: str
    proper: bool

    @property
    def weight(self) -> float:
        return 1.5 if self.proper else 1.0


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _groups() -> dict[str, frozenset[str]]:
    stem = _stemmer().stemWord
    table: dict[str, frozenset[str]] = {}
    for line in _SYNONYMS:
        group = frozenset(stem(word) for word in line.split())
        for member in group:
            table[member] = table.get(member, frozenset()) | group
    return table


def stem(word: str) -> str:
    word = normalise(word)
    return _stemmer().stemWord(_IRREGULAR.get(word, word))


def terms_of(text: str) -> list[Term]:
    """The content terms of `text`, in order, without repeats; hyphenated names also give their parts."""
    terms, seen = [], set()
    for index, match in enumerate(_WORD.finditer(fold_apostrophes(text))):
        raw = match.group(0).strip("-")
        lower = normalise(raw)
        if not lower or lower in _STOP or (len(lower) < 2 and not lower.isdigit()):
            continue
        proper = raw[:1].isupper() and (index > 0 or raw.isupper() or "-" in raw) or any(c.isdigit() for c in raw)
        for word in {lower, *[part for part in lower.split("-") if len(part) > 2 and part not in _STOP]}:
            key = stem(word)
            if key not in seen:
                seen.add(key)
                terms.append(Term(word, key, proper))
    return terms


def stems_of(text: str) -> set[str]:
    """Every stem in `text` (no stopword removal), for matching terms against it."""
    words = _WORD.findall(fold_apostrophes(text))
    return {stem(part) for word in words for part in (word, *word.split("-")) if part}


def matches(term: Term, stems: set[str]) -> bool:
    """Whether `term`, or a word news uses for the same thing, occurs among `stems`.

    Names also match their derived forms ("Russia" ~ "Russian", "Iran" ~ "Iranian").
    """
    if term.stem in stems:
        return True
    if term.proper and len(term.stem) >= 4 and any(s.startswith(term.stem) for s in stems):
        return True
    group = _groups().get(term.stem)
    return bool(group and group & stems)
