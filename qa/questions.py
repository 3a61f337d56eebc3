"""What a question and a conversation must be before they are answered: one clean line of bounded length,
and a history newsdesk can read."""

from __future__ import annotations

import re

from qa.errors import InvalidQuestion
from qa.normalise import strip_controls

_MARKUP = re.compile(r"<[^<>]{1,200}>")


def check_question(question: object, max_chars: int = 2000) -> str:
    """The question as one clean line; an empty or overlong one is an InvalidQuestion with what to do."""
    if not isinstance(question, str) or not question.strip():
        raise InvalidQuestion("Please type a question: it is empty.")
    question = question.encode("utf-8", "ignore").decode("utf-8")  # lone surrogates cannot be text
    question = " ".join(_MARKUP.sub(" ", strip_controls(question, " ")).split())
    if not question:
        raise InvalidQuestion("Please type a question: it is empty.")
    if len(question) > max_chars:
        raise InvalidQuestion(
            f"That question is {len(question):,} characters long; please keep it under {max_chars:,}."
        )
    return question


def check_history(history: object) -> object:
    if history is None or isinstance(history, (list, tuple)):
        return history
    raise InvalidQuestion(
        "history must be a list of earlier answers, (question, answer) pairs or chat messages, "
        f"not {type(history).__name__}"
    )
