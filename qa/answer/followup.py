"""Resolve follow-up questions against the conversation: "he", "there", "and how many ...?"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.language import entities
from qa.normalise import is_figure
from qa.types import Answer

# English discourse openers, personal pronouns and "there": what marks any follow-up as leaning on the last turn.
_LEAD = re.compile(r"^\s*(?:and|also|so|but|ok(?:ay)?|then)\b[\s,]*", re.I)
_PERSON_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers)\b", re.I)
_PLACE_PRONOUN = re.compile(r"\bthere\b", re.I)
_THING_PRONOUN = re.compile(r"\b(it|its|they|them|their)\b", re.I)
# A place after a preposition: capitalised words, each possibly led by a lower-case name particle joined
# with a hyphen, as in many languages' place names (al-, el-, ad-, de-, d').
_NAME_WORD = r"(?:[a-z]{1,3}[-'’])?[A-Z0-9][\w'’-]*"
_PLACE_PHRASE = re.compile(rf"\b(?:at|in|on|near|from|of)\s+((?:[a-z]{{1,3}}[-'’])?[A-Z][\w'’-]*(?:\s+{_NAME_WORD})*)")
_BOLD_LEAD = re.compile(r"^\s*\*\*(.+?)\*\*")
_WHO = re.compile(r"^\W*(?:and\s+|so\s+)?who(?:m|se)?\b", re.I)
_WHAT_ABOUT = re.compile(r"^\s*(?:what|how)\s+about\s+(.+?)\??\s*$", re.I)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange: what was asked (as resolved) and the short answer or answer text."""

    question: str
    answer: str = ""
    short_answer: str | None = None
    answer_type: str = ""


def turns_from(history: object) -> list[Turn]:
    """Accepts Answers, (question, answer) pairs, or chat messages ({"role", "content"}) as history."""
    turns: list[Turn] = []
    pending: str | None = None
    for item in history or []:
        if isinstance(item, Answer):
            turns.append(Turn(item.resolved_question or item.question, item.text, item.short_answer, item.answer_type))
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            answer = _content(item[1])
            turns.append(Turn(_content(item[0]), answer, _bold_lead(answer)))
        elif isinstance(item, dict):
            role, content = item.get("role"), _content(item.get("content"))
            if role == "user":
                pending = content
            elif role == "assistant" and pending is not None:
                turns.append(Turn(pending, content, _bold_lead(content)))
                pending = None
    return turns


def resolve(question: str, history: object) -> str:
    """The follow-up rewritten to stand alone; unchanged when it needs no context or there is none."""
    turns = turns_from(history)
    if not turns:
        return question
    last = turns[-1]
    stripped = _LEAD.sub("", question).strip()
    about = _WHAT_ABOUT.match(stripped)
    if about:
        return _swap_subject(last.question, about.group(1))
    resolved = stripped
    person = _last_person(last) if _PERSON_PRONOUN.search(resolved) else None
    if person:
        resolved = _PERSON_PRONOUN.sub(lambda m: _person_form(m.group(1), person), resolved, count=1)
    thing = _last_name(last) if _THING_PRONOUN.search(resolved) else None
    if thing:
        resolved = _THING_PRONOUN.sub(lambda m: _person_form(m.group(1), thing), resolved, count=1)
    place = _last_place(turns)
    if place and _PLACE_PRONOUN.search(resolved):
        resolved = _PLACE_PRONOUN.sub(f"at {place}", resolved, count=1)
    elif place and not _names_in(resolved) and not _names_in(stripped):
        resolved = f"{resolved.rstrip(' ?')} at {place}?"  # a follow-up that names nothing stays where we were
    if resolved == stripped:
        return question
    return resolved[:1].upper() + resolved[1:]


def _bold_lead(answer: str) -> str | None:
    """The short answer newsdesk puts first, in bold ("**16**, according to ..."), of an answer sent back as text."""
    lead = _BOLD_LEAD.match(answer)
    return lead.group(1).strip() if lead else None


def _content(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in value)
    if isinstance(value, dict):
        return str(value.get("text", ""))
    return "" if value is None else str(value)


def _last_person(turn: Turn) -> str | None:
    """Who "he" or "she" most likely means: the name just answered to a "who" question, else the first person
    the last answer or question names."""
    answered = _last_name(turn)
    if answered and _WHO.match(turn.question):
        return answered
    for text in (turn.answer, turn.question):
        people = [ent.text for ent in entities(_plain(text)).ents if ent.label_ == "PERSON"]
        if people:
            return people[0]
    return None


def _last_name(turn: Turn) -> str | None:
    """The last short answer when it is a name ("Islamic Resistance in Iraq", "F-15E Strike Eagles"):
    what "it" or "they" most likely means in the next question."""
    answer = (turn.short_answer or "").strip()
    return answer if answer[:1].isupper() and not is_figure(answer) else None


def _last_place(turns: list[Turn]) -> str | None:
    for turn in reversed(turns):
        match = _PLACE_PHRASE.search(turn.question)
        if match:
            return match.group(1).rstrip("?.,! ")
    return None


def _names_in(text: str) -> bool:
    words = text.split()
    return any(word[:1].isupper() for word in words[1:])


def _person_form(pronoun: str, name: str) -> str:
    return f"{name}'s" if pronoun.lower() in ("his", "hers", "its", "their") else name


def _swap_subject(previous: str, subject: str) -> str:
    """ "What about Syria?" after "How many were killed in Iraq?" -> "How many were killed in Syria?"."""
    place = _PLACE_PHRASE.search(previous)
    if place:
        return previous[: place.start(1)] + subject + previous[place.end(1) :]
    return f"{previous.rstrip(' ?')} ({subject})?"


def _plain(text: str) -> str:
    return re.sub(r"\[\d+\]|[*“”>#_]", " ", text)
