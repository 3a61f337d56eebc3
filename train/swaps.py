"""Unanswerable look-alikes the project makes itself: a training question with one of its named things
swapped for another of the same kind from a different article, asked of the window that answers the
original ("When did Beyoncé release ..." becomes "When did Madonna release ..."). The window still shares
most of its words with the question but no longer answers it, which is what SQuAD 2.0's look-alikes test
and what windows without the answer cannot teach. Each look-alike comes with its original question on the
same window, answered, so the reader learns the difference rather than to refuse a window it knows.

Entity swaps are one of the kinds of unanswerable question SQuAD 2.0's writers made (Rajpurkar et al.
2018); making them by swapping entities is the recipe of several papers on unanswerable questions. The
entity labels are spaCy's; no word list is involved.
"""

from __future__ import annotations

import random

from examples import Example, answer_window

# spaCy labels whose entities name one thing, so another of the kind makes a different question
SWAPPABLE = ("PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT", "DATE")


def swapped_examples(rows: list[dict], rng: random.Random, limit: int) -> list[Example]:
    """Up to `limit` look-alikes (and as many originals) from the answerable `rows`."""
    from qa.language import entities_of, sentence_spans

    answerable = [row for row in rows if row["answers"]]
    rng.shuffle(answerable)
    answerable = answerable[: limit * 3]  # some questions name nothing to swap, or nothing the window holds
    docs = entities_of([row["question"] for row in answerable])
    pool: dict[str, list[tuple[str, str]]] = {}
    for row, doc in zip(answerable, docs, strict=True):
        for entity in doc.ents:
            if entity.label_ in SWAPPABLE:
                pool.setdefault(entity.label_, []).append((entity.text, row["group"]))
    made: list[Example] = []
    for row, doc in zip(answerable, docs, strict=True):
        if len(made) >= 2 * limit:
            break
        context, first = row["context"], row["answers"][0]
        window = answer_window(sentence_spans(context) or [(0, len(context))], first, rng)
        if window is None:
            continue
        text, start, answer = context[slice(*window)], first["start"] - window[0], first["text"]
        named = [e for e in doc.ents if e.label_ in SWAPPABLE and e.text in text and e.text not in answer]
        if not named:
            continue
        entity = rng.choice(named)
        other = _replacement(pool[entity.label_], entity.text, row, rng)
        if other is None:
            continue
        question = row["question"]
        swapped = question[: entity.start_char] + other + question[entity.end_char :]
        made.append(Example(swapped, text, None, "", row["group"], "swap"))
        made.append(Example(question, text, start, answer, row["group"], "swap-original"))
    return made


def _replacement(pool: list[tuple[str, str]], current: str, row: dict, rng: random.Random) -> str | None:
    """Another entity of the kind, from another article, that the paragraph never mentions."""
    for _ in range(20):
        text, group = rng.choice(pool)
        if group != row["group"] and text.lower() != current.lower() and text.lower() not in row["context"].lower():
            return text
    return None
