"""Check a model-written phrase against the cited passages: every figure and name must be in them."""

from __future__ import annotations

import re

from qa.answer.citations import MARKER
from qa.language import entities
from qa.normalise import NUMBER_WORDS, normalise_answer

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
# spaCy's labels for named things: a phrase may name only what the cited passages name.
_NAMED = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART"}


def guard_problems(
    phrase: str, passages: list[str], citation_numbers: set[int], required: str | None = None
) -> list[str]:
    """Why `phrase` may not be shown; empty when every number, name and marker is grounded and the
    `required` short answer, if any, is still in it."""
    problems = []
    if required and f" {normalise_answer(required)} " not in f" {normalise_answer(phrase)} ":
        problems.append(f"the answer {required!r} is missing")
    source = " " + normalise_answer(" ".join(passages)) + " "
    markers = {int(n) for n in MARKER.findall(phrase)}
    if not markers:
        problems.append("no citation marker")
    if markers - citation_numbers:
        problems.append(f"unknown markers {sorted(markers - citation_numbers)}")
    text = MARKER.sub(" ", phrase)
    for number in _NUMBER.findall(text):
        if f" {normalise_answer(number)} " not in source:
            problems.append(f"number {number!r} is not in the sources")
    for word in re.findall(r"[A-Za-z]+", text):
        if word.lower() in NUMBER_WORDS and f" {NUMBER_WORDS[word.lower()]} " not in source:
            problems.append(f"number {word!r} is not in the sources")
    for entity in entities(text).ents:
        name = re.sub(r"^(?:the|a|an)\s+", "", entity.text, flags=re.I)
        if entity.label_ in _NAMED and f" {normalise_answer(name)} " not in source:
            problems.append(f"name {name!r} is not in the sources")
    return problems
