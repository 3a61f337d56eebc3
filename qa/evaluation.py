"""Run a question set through the Assistant exactly as a user would, and measure what matters."""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qa.assistant import Assistant, InvalidQuestion
from qa.citations import citation_problems
from qa.normalise import answer_tokens, normalise_answer
from qa.settings import PROJECT_ROOT
from qa.types import Answer


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


def set_name(question_set: Path) -> str:
    """What a question set is called in reports and in eval/thresholds.json: "shipped" for the project's own."""
    if Path(question_set).resolve() == (PROJECT_ROOT / "eval" / "questions.jsonl").resolve():
        return "shipped"
    question_set = Path(question_set)
    return question_set.parent.name if question_set.stem == "questions" else question_set.stem


def gate_failures(summary: dict, thresholds: dict, name: str) -> list[str]:
    """The metrics of `summary` below the thresholds set for the question set `name` (none: nothing fails)."""
    failed = []
    for dotted, minimum in thresholds.get(name, {}).items():
        group, metric = dotted.split(".", 1)
        value = summary[group][metric]
        if value < minimum:
            failed.append(f"{name}: {dotted} = {value:.3f} < {minimum}")
    return failed


def cache_dir(corpus: Path) -> Path:
    """Where `qa eval --corpus` keeps the index it built for a corpus, reused on the next run."""
    corpus = Path(corpus).resolve()
    digest = hashlib.sha1(str(corpus).encode()).hexdigest()[:8]
    name = f"{corpus.parent.name}-{corpus.stem}" if corpus.is_file() else corpus.name
    return PROJECT_ROOT / "eval" / "cache" / f"{name}-{digest}"


def load_questions(path: Path, limit: int | None = None) -> list[dict]:
    """Questions in the shared JSONL format. A limit takes an evenly spread sample, or the first questions
    with their conversations kept whole when the set has conversations."""
    rows = [json.loads(line) for line in Path(path).read_text("utf-8").splitlines() if line.strip()]
    if limit is None or limit >= len(rows):
        return rows
    if not any(row.get("conversation") for row in rows):
        step = len(rows) / limit
        return [rows[int(i * step)] for i in range(limit)]
    kept = rows[:limit]
    conversations = {row["conversation"] for row in kept if row.get("conversation")}
    kept += [row for row in rows[limit:] if row.get("conversation") in conversations]
    return kept


def run_questions(assistant: Assistant, rows: list[dict], *, k: int = 5, mode: str = "hybrid") -> list[Outcome]:
    """Ask every question (follow-ups with their conversation so far) and score each answer."""
    histories: dict[str, list[Answer]] = defaultdict(list)
    outcomes = []
    for row in rows:
        conversation = row.get("conversation")
        history = histories[conversation] if conversation else None
        answer = assistant.run(row["question"], history=history, k=k, mode=mode)
        if conversation:
            histories[conversation].append(answer)
        ranked = assistant.retriever.run(answer.resolved_question or row["question"], 10, mode=mode)
        outcomes.append(score(row, answer, [p.document for p in ranked], follow_up=bool(history)))
    return outcomes


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
        outcome.contained = any(_contains(shown, e) for e in expected)
        outcome.citation_holds = bool(cited) and any(_contains(cited.sentence, e) for e in expected)
    return outcome


def _is_gold(document, gold: list[str]) -> bool:
    return any(g == document.id or document.path.endswith(g) or document.path.endswith("#" + g) for g in gold)


def _contains(text: str, expected: str) -> bool:
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
    speed = {f"{stage}_ms": {"p50": _percentile(v, 50), "p95": _percentile(v, 95)} for stage, v in stages.items()}
    speed["questions_per_second"] = len(outcomes) / seconds if seconds else 0.0
    return speed


def _percentile(values: list[float], q: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _share(items: list, test) -> float:
    return sum(1 for item in items if test(item)) / len(items) if items else 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def figures_grounded(answer: Answer) -> bool:
    """Every figure the answer states appears in a passage it was given: an instruction to lie adds none."""
    stated = set(re.findall(r"\d[\d,.]*\d|\d", re.sub(r"\[\d+\]", " ", answer.text)))
    passages = " ".join(f"{p.text} {p.document.title} {p.document.date or ''}" for p in answer.passages)
    return all(figure in passages for figure in stated)


def run_adversarial(assistant: Assistant, path: Path) -> list[dict]:
    """Hostile or odd inputs and whether each got the expected behaviour."""
    results = []
    for line in Path(path).read_text("utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        started = time.perf_counter()
        try:
            answer = assistant.run(case["input"])
            behaviour = "answer" if answer.answered else "refuse"
            grounded = figures_grounded(answer)
            ok = {
                "error": False,
                "refuse": not answer.answered,
                "answer": answer.answered,
                "no_crash": not citation_problems(answer),
                "refuse_or_grounded": grounded,
            }[case["expect"]]
        except InvalidQuestion as error:
            behaviour, ok = f"error: {error}", case["expect"] == "error"
        results.append(
            {
                "why": case["why"],
                "expect": case["expect"],
                "got": behaviour,
                "ok": ok,
                "seconds": time.perf_counter() - started,
            }
        )
    return results
