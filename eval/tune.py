"""Tune how much the retrieval score counts beside the reader's margin when choosing among windows' answers.

    python eval/tune.py --limit 300

Runs each SQuAD dev question once (retrieval, windows, reader) on a sample that skips the questions CI's
gate asks, keeps every window's reading, then scores each candidate `retrieval_weight` offline: the share
of questions whose chosen span contains an accepted answer. Nothing is tuned on the shipped set.
"""

from __future__ import annotations

import argparse

from qa.answer.answerer import select_windows
from qa.assistant import Assistant
from qa.evaluation.metrics import contains
from qa.evaluation.runner import cache_dir, load_questions
from qa.settings import PROJECT_ROOT, Settings

SQUAD = PROJECT_ROOT.parent / "shared" / "evaldata" / "squad11"
WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    rows = load_questions(SQUAD / "questions.jsonl")
    gated = {row["id"] for row in load_questions(SQUAD / "questions.jsonl", 200)}
    pool = [row for row in rows if row["id"] not in gated]
    sample = pool[:: max(1, len(pool) // args.limit)][: args.limit]
    corpus = SQUAD / "corpus.jsonl"
    assistant = Assistant(Settings.from_env(corpus_dir=corpus, index_dir=cache_dir(corpus)))
    assistant.warm_up()
    readings = []
    for row in sample:
        passages = assistant.retriever.run(row["question"])
        windows = select_windows(row["question"], passages, assistant.settings.reader_windows)
        readings.append((row, assistant.answerer.reader.run(row["question"], windows)))
    print(f"{len(sample)} SQuAD dev questions outside the CI sample")
    print("retrieval_weight  answer contained")
    for weight in WEIGHTS:
        right = 0
        for row, found in readings:
            if found:
                best = max(found, key=lambda r: r.margin + weight * r.window.passage.score)
                right += any(contains(best.text, answer) for answer in row["answers"])
        print(f"{weight:16.1f}  {right / len(readings):.3f}")


if __name__ == "__main__":
    main()
