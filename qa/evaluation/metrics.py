"""Scores for one answer and figures for a whole run: retrieval, answers, citations, refusals, speed."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qa.answer.citations import citation_problems
from qa.normalise import answer_tokens, normalise_answer
from qa.types import Answer, Document


@dataclass
class Outcome:
    """One question's result: what was expected, what came back, and how it scores."""

    id: str
    question: str
    type: str
    expected: list[str]
    gold_docs: list[str]
    got: str
    short_answer: str | None
    answered: bool
    cited_title: str
    rank: int | None = None
    exact: bool = False
    f1: float = 0.0
    contained: bool = False
    citation_holds: bool = False
    markers_resolve: bool = True
    follow_up: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return bool(self.expected)

    @property
    def correct(self) -> bool:
        return self.contained if self.answerable else not self.answered


def score(row: dict, answer: Answer, ranked_docs: list, *, follow_up: bool = False) -> Outcome:
    expected = [str(a) for a in row.get("answers", [])]
    gold = [str(d) for d in row.get("evidence_doc_ids", [])]
    predicted = answer.short_answer or (answer.citations[0].sentence if answer.citations else "")
    shown = answer.short_answer or answer.text
    cited = answer.citations[0] if answer.citations else None
    outcome = Outcome(
        id=str(row.get("id", "")),
        question=row["question"],
        type=row.get("type", ""),
        expected=expected,
        gold_docs=gold,
        got=answer.text,
        short_answer=answer.short_answer,
        answered=answer.answered,
        cited_title=cited.title if cited else "",
        follow_up=follow_up,
        timings=dict(answer.timings),
        markers_resolve=not citation_problems(answer),
    )
    if gold:
        outcome.rank = next((i for i, doc in enumerate(ranked_docs, 1) if _is_gold(doc, gold)), None)
    if expected and answer.answered:
        outcome.exact = any(normalise_answer(predicted) == normalise_answer(e) for e in expected)
        outcome.f1 = max(token_f1(predicted, e) for e in expected)
        outcome.contained = any(contains(shown, e) for e in expected)
        outcome.citation_holds = bool(cited) and any(contains(cited.sentence, e) for e in expected)
    return outcome


def _is_gold(document: Document, gold: list[str]) -> bool:
    return any(g == document.id or document.path.endswith(g) or document.path.endswith("#" + g) for g in gold)


def contains(text: str, expected: str) -> bool:
    """Whether the normalised `expected` answer occurs in `text` as whole words."""
    needle = normalise_answer(expected)
    return bool(needle) and f" {needle} " in f" {normalise_answer(text)} "


def token_f1(predicted: str, expected: str) -> float:
    got, want = answer_tokens(predicted), answer_tokens(expected)
    common = sum(min(got.count(t), want.count(t)) for t in set(got))
    if not got or not want or not common:
        return 0.0
    precision, recall = common / len(got), common / len(want)
    return 2 * precision * recall / (precision + recall)


def metrics(outcomes: list[Outcome], seconds: float) -> dict:
    """Every figure of the report, as a flat-ish dict of floats."""
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    ranked = [o for o in answerable if o.gold_docs]
    answered = [o for o in answerable if o.answered]
    refused = [o for o in outcomes if not o.answered]
    follow_ups = [o for o in outcomes if o.follow_up]
    result = {
        "questions": len(outcomes),
        "retrieval": {
            "recall@1": _share(ranked, lambda o: o.rank is not None and o.rank <= 1),
            "recall@5": _share(ranked, lambda o: o.rank is not None and o.rank <= 5),
            "recall@10": _share(ranked, lambda o: o.rank is not None),
            "mrr@10": _mean([1 / o.rank if o.rank else 0.0 for o in ranked]),
        },
        "answers": {
            "accuracy": _share(answerable, lambda o: o.contained),
            "exact_match": _share(answerable, lambda o: o.exact),
            "f1": _mean([o.f1 for o in answerable]),
            "contained": _share(answerable, lambda o: o.contained),
        },
        "citations": {
            "cited_sentence_holds_answer": _share(answered, lambda o: o.citation_holds),
            "markers_resolve": _share(outcomes, lambda o: o.markers_resolve),
        },
        "refusals": {
            "precision": _share(refused, lambda o: not o.answerable),
            "recall": _share(unanswerable, lambda o: not o.answered),
            "false_refusal_rate": _share(answerable, lambda o: not o.answered),
            "false_answer_rate": _share(unanswerable, lambda o: o.answered),
            "accuracy": _share(unanswerable, lambda o: not o.answered),
        },
        "conversations": {"follow_up_accuracy": _share(follow_ups, lambda o: o.correct), "turns": len(follow_ups)},
        "speed": _speed(outcomes, seconds),
    }
    return result


def _speed(outcomes: list[Outcome], seconds: float) -> dict:
    stages: dict[str, list[float]] = defaultdict(list)
    for outcome in outcomes:
        for stage, value in outcome.timings.items():
            stages[stage].append(value * 1000)
    speed = {f"{stage}_ms": {"p50": percentile(v, 50), "p95": percentile(v, 95)} for stage, v in stages.items()}
    speed["questions_per_second"] = len(outcomes) / seconds if seconds else 0.0
    return speed


def percentile(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _share(items: list, test: Callable[[Any], bool]) -> float:
    return sum(1 for item in items if test(item)) / len(items) if items else 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def gate_failures(summary: dict, thresholds: dict, name: str) -> list[str]:
    """The metrics of `summary` below the thresholds set for the question set `name` (none: nothing fails)."""
    failed = []
    for dotted, minimum in thresholds.get(name, {}).items():
        group, metric = dotted.split(".", 1)
        value = summary[group][metric]
        if value < minimum:
            failed.append(f"{name}: {dotted} = {value:.3f} < {minimum}")
    return failed


def figures_grounded(answer: Answer) -> bool:
    """Every figure the answer states appears in a passage it was given: an instruction to lie adds none."""
    stated = set(re.findall(r"\d[\d,.]*\d|\d", re.sub(r"\[\d+\]", " ", answer.text)))
    passages = " ".join(f"{p.text} {p.document.title} {p.document.date or ''}" for p in answer.passages)
    return all(figure in passages for figure in stated)
