"""Who a news sentence attributes its claim to ("the ministry said ...", "according to officials")."""

from __future__ import annotations

import re

# English reporting verbs: how any news sentence attributes a claim.
_VERBS = r"(?:said|says|say|added|claimed|claims|stated|announced|told|reported|confirmed|denied|alleged|insisted)"
_ACCORDING = re.compile(r"\baccording to ([^,.;:]{3,80})", re.I)
_BEFORE_VERB = re.compile(rf"(?:^|[,;:]\s+|\bthat\s+)([^,;:\"“”]{{2,80}}?)\s+(?:also\s+)?{_VERBS}\b")
_AFTER_QUOTE = re.compile(rf"[,!?][\"”]\s+([^,;:\"“”]{{2,80}}?)\s+{_VERBS}\b")
# English pronouns: an attribution to "he" names nobody the reader can see.
_PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "this", "that", "which", "who"}


def attribution(sentence: str) -> str | None:
    """The source a sentence cites for its claim, e.g. "the PMU"; None when it states the claim itself."""
    for pattern in (_ACCORDING, _AFTER_QUOTE, _BEFORE_VERB):
        match = pattern.search(sentence)
        if match:
            who = _tidy(match.group(1))
            if who:
                return who
    return None


def _tidy(who: str) -> str | None:
    who = re.sub(r"^(?:in a statement(?: [^,]*)?|on \w+|and|but|however)\s+", "", who.strip(), flags=re.I)
    words = who.split()
    if not words or len(words) > 8 or words[0].lower() in _PRONOUNS:
        return None
    if who[0].isupper() and words[0].lower() in {"the", "a", "an"}:  # English articles, lower-cased mid-sentence
        who = who[0].lower() + who[1:]
    return who
