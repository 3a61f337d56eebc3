"""Run a question set through the Assistant exactly as a user would; metrics.py scores what comes back."""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from pathlib import Path

from qa.answer.citations import citation_problems
from qa.assistant import Assistant
from qa.errors import InvalidQuestion
from qa.evaluation.metrics import Outcome, figures_grounded, score
from qa.filters import Filters
from qa.settings import PROJECT_ROOT
from qa.types import Answer


def set_name(question_set: Path) -> str:
    """What a question set is called in reports and in eval/thresholds.json: "shipped" for the project's own."""
    if Path(question_set).resolve() == (PROJECT_ROOT / "eval" / "questions.jsonl").resolve():
        return "shipped"
    question_set = Path(question_set)
    return question_set.parent.name if question_set.stem == "questions" else question_set.stem


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


def run_questions(
    assistant: Assistant, rows: list[dict], *, k: int = 5, mode: str = "hybrid", dated: bool = True
) -> list[Outcome]:
    """Ask every question (follow-ups with their conversation so far) and score each answer. `dated`: a
    question with a `question_date` is asked as on that day (`as_of`), as its reader asked it."""
    histories: dict[str, list[Answer]] = defaultdict(list)
    outcomes = []
    for row in rows:
        conversation = row.get("conversation")
        history = histories[conversation] if conversation else None
        filters = Filters.of(as_of=row.get("question_date") if dated else None)
        answer = assistant.run(row["question"], history=history, k=k, mode=mode, as_of=filters.as_of)
        if conversation:
            histories[conversation].append(answer)
        ranked, _ = assistant.passages(answer.resolved_question or row["question"], 10, mode=mode, filters=filters)
        outcomes.append(score(row, answer, [p.document for p in ranked], follow_up=bool(history)))
    return outcomes


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
                "same_as_plain": "plain" in case and answer.text == assistant.run(case["plain"]).text,
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
