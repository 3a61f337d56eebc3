"""Entity-swapped look-alikes (train/swaps.py), on invented fixture paragraphs, with spaCy's real recogniser."""

from __future__ import annotations

import random

import pytest
from swaps import swapped_examples

pytestmark = pytest.mark.model  # spaCy's entity recogniser reads the questions

# Test fixture: invented paragraphs about invented events; each question names a person or a country.
PARAGRAPHS = [
    (
        "Invented ferry",
        "Maria Lopez opened the ferry terminal in 1998. It cost nine million dollars. Crowds came.",
        "Who opened the ferry terminal in 1998?",
        "Maria Lopez",
    ),
    (
        "Invented bridge",
        "Peter Hansen built the old bridge in Norway. It took six years. The king visited.",
        "How long did it take Peter Hansen to build the bridge in Norway?",
        "six years",
    ),
    (
        "Invented mill",
        "The mill in Portugal burned in 1911. Joao Silva rebuilt it in stone. It still works.",
        "Who rebuilt the mill in Portugal?",
        "Joao Silva",
    ),
    (
        "Invented school",
        "Anna Berg founded the school in Sweden. It opened with twelve pupils. It grew fast.",
        "How many pupils did Anna Berg's school in Sweden open with?",
        "twelve",
    ),
]


def _rows() -> list[dict]:
    return [
        {"question": q, "context": c, "answers": [{"text": a, "start": c.index(a)}], "group": g, "source": "fixture"}
        for g, c, q, a in PARAGRAPHS
    ]


def test_a_look_alike_swaps_one_named_thing_for_one_its_window_never_mentions_and_keeps_its_original():
    made = swapped_examples(_rows(), random.Random(1), limit=10)
    assert made, "every fixture question names a person or a country its window holds"
    pairs = list(zip(made[::2], made[1::2], strict=True))
    for look_alike, original in pairs:
        assert look_alike.answer_start is None and look_alike.source == "swap"
        assert original.answer_start is not None and original.window == look_alike.window
        assert original.window[original.answer_start :].startswith(original.answer_text)
        assert look_alike.question != original.question
        context = next(c for g, c, _, _ in PARAGRAPHS if g == original.group)
        inserted = set(look_alike.question.split()) - set(original.question.split())
        assert inserted and not any(word.strip("?'s").lower() in context.lower() for word in inserted)
