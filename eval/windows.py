"""Where answers are lost before the reader: is an accepted answer in the retrieved passages, and is it in
the windows the answer stage reads, chosen by shared stems or by meaning? No reader runs.

    python eval/windows.py --set ../shared/evaldata/squad11/questions.jsonl \
        --corpus ../shared/evaldata/squad11/corpus.jsonl --limit 300
    python eval/windows.py --set ../shared/evaldata/realtimeqa/questions.jsonl \
        --corpus ../shared/evaldata/realtimeqa/corpus.jsonl --limit 150

Questions are asked as `qa eval` asks them (as of a question's day when it has one). Prints the share of
answerable questions whose answer is in the passages, and in the first N windows both ways, and the time
a question's windows take to choose (p50/p95).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from qa.answer.answerer import select_windows
from qa.assistant import Assistant
from qa.evaluation.metrics import contains
from qa.evaluation.runner import cache_dir, load_questions
from qa.filters import Filters
from qa.settings import Settings


def holds(text: str, answers: list[str]) -> bool:
    return any(contains(text, answer) for answer in answers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--windows", type=int, default=0, help="windows read (default: the reader_windows setting)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    settings = Settings.from_env()
    assistant = Assistant(settings.with_(corpus_dir=args.corpus, index_dir=cache_dir(args.corpus)))
    assistant.warm_up()
    meaning = assistant.answerer.meaning
    if meaning is None:
        from qa.answer.meaning import WordVectors

        meaning = WordVectors(settings.cache_folder)
    meaning.warm_up()
    count = args.windows or settings.reader_windows
    rows = [row for row in load_questions(args.set, args.limit) if row["answers"]]
    found = {"passages": 0, "windows by stems": 0, "windows by meaning": 0}
    seconds: dict[str, list[float]] = {"windows by stems": [], "windows by meaning": []}
    for row in rows:
        filters = Filters.of(as_of=row.get("question_date"))
        passages, _ = assistant.passages(row["question"], settings.k, filters=filters)
        found["passages"] += any(holds(p.text, row["answers"]) for p in passages)
        for name, vectors in (("windows by stems", None), ("windows by meaning", meaning)):
            started = time.perf_counter()
            windows = select_windows(row["question"], passages, count, vectors)
            seconds[name].append(time.perf_counter() - started)
            found[name] += any(holds(w.text, row["answers"]) for w in windows)
    figures = {
        "questions": len(rows),
        "windows": count,
        **{f"answer in {name}": value / len(rows) for name, value in found.items()},
        **{
            f"{name} ms p50/p95": [
                round(1000 * statistics.median(values), 2),
                round(1000 * sorted(values)[int(0.95 * (len(values) - 1))], 2),
            ]
            for name, values in seconds.items()
        },
    }
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
