"""Measure how much recency should count in retrieval, on RealTimeQA dev questions asked as of their date.

    python eval/recency.py [--limit 300]

Each question is asked as of its `question_date` (nothing published later is read) on RealTimeQA dev
questions outside the 150-question sample `qa eval --limit 150` reports; retrieval runs once per question
without recency, then every (recency_weight, recency_half_life) pair re-ranks the same candidates offline
and the share of questions whose gold article is in the top 5 passages is printed.
"""

from __future__ import annotations

import argparse
from datetime import date

from qa.assistant import Assistant
from qa.evaluation.metrics import _is_gold
from qa.evaluation.runner import cache_dir, load_questions
from qa.filters import Filters
from qa.settings import PROJECT_ROOT, Settings

RTQA = PROJECT_ROOT.parent / "shared" / "evaldata" / "realtimeqa"
WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4)
HALF_LIVES = (3.0, 7.0, 30.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    rows = load_questions(RTQA / "questions.jsonl")
    reported = {row["id"] for row in load_questions(RTQA / "questions.jsonl", 150)}
    pool = [
        row for row in rows if row["id"] not in reported and row.get("question_date") and row.get("evidence_doc_ids")
    ]
    sample = pool[:: max(1, len(pool) // args.limit)][: args.limit]
    corpus = RTQA / "corpus.jsonl"
    assistant = Assistant(Settings.from_env(corpus_dir=corpus, index_dir=cache_dir(corpus), recency_weight=0.0))
    assistant.warm_up()
    candidates = []
    for row in sample:
        filters = Filters.of(as_of=row["question_date"])
        passages, _ = assistant.passages(row["question"], 100, filters=filters)
        candidates.append((row, filters.as_of, passages))
    print(f"{len(sample)} RealTimeQA dev questions outside the reported sample, asked as of their date")
    print("recency_weight  " + "  ".join(f"half-life {h:>4.0f} d" for h in HALF_LIVES) + "   (gold article in top 5)")
    for weight in WEIGHTS:
        cells = []
        for half_life in HALF_LIVES:
            hits = 0
            for row, today, passages in candidates:
                ranked = sorted(
                    passages, key=lambda p: -(p.score + weight * _recency(p.document.date, today, half_life))
                )
                hits += any(_is_gold(p.document, row["evidence_doc_ids"]) for p in ranked[:5])
            cells.append(f"{hits / len(candidates):16.3f}")
        print(f"{weight:14.2f}  " + "  ".join(cells))


def _recency(published: str | None, today: date, half_life: float) -> float:
    if not published:
        return 0.0
    return 0.5 ** (max(0, (today - date.fromisoformat(published)).days) / half_life)


if __name__ == "__main__":
    main()
