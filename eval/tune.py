"""Tune how the answer stage chooses among windows: how much the retrieval score counts beside the reader's
margin (`retrieval_weight`), how many windows to read (`reader_windows`), and how sure the first window's
answer must be to stop reading (`sure_margin`).

    python eval/tune.py --limit 300

Runs each SQuAD dev question once (retrieval, windows, reader) on a sample that skips the questions CI's
gate asks, keeps every window's reading, then scores each candidate setting offline: the share of
questions whose chosen span contains an accepted answer, and the share answered from one window (the
reading cost). Nothing is tuned on the shipped set.
"""

from __future__ import annotations

import argparse
import math

from qa.answer.answerer import select_windows, settles
from qa.answer.reader import Reading, Window
from qa.assistant import Assistant
from qa.evaluation.metrics import contains
from qa.evaluation.runner import cache_dir, load_questions
from qa.settings import PROJECT_ROOT, Settings

SQUAD = PROJECT_ROOT.parent / "shared" / "evaldata" / "squad11"
WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0)
SURE = (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, math.inf)
COUNTS = (1, 2, 3, 4, 6)


def contained(row: dict, reading: Reading | None) -> bool:
    return reading is not None and any(contains(reading.text, answer) for answer in row["answers"])


def chosen(readings: list[Reading], windows: list[Window], weight: float, sure: float) -> tuple[Reading | None, bool]:
    """What the answer stage picks from these readings, and whether it stopped after the first window."""
    opening = next((reading for reading in readings if reading.window == windows[0]), None)
    if opening is not None and settles(opening, windows, sure):
        return opening, True
    best = max(readings, key=lambda r: r.margin + weight * r.window.passage.score, default=None)
    return best, False


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
        windows = select_windows(row["question"], passages, max(COUNTS))
        if windows:
            readings.append((row, windows, assistant.answerer.reader.run(row["question"], windows)))

    def first(count: int) -> list[tuple[dict, list[Window], list[Reading]]]:
        """Each question's readings as if only its first `count` windows had been read."""
        return [(row, ws[:count], [r for r in found if r.window in ws[:count]]) for row, ws, found in readings]

    print(f"{len(sample)} SQuAD dev questions outside the CI sample, {len(readings)} with windows to read")
    print("retrieval_weight  " + "  ".join(f"{count} windows" for count in COUNTS) + "   (answer contained)")
    for weight in WEIGHTS:
        shares = []
        for count in COUNTS:
            picks = first(count)
            shares.append(sum(contained(row, chosen(found, read, weight, math.inf)[0]) for row, read, found in picks))
        print(f"{weight:16.1f}  " + "  ".join(f"{right / len(sample):9.3f}" for right in shares))
    weight, count = assistant.settings.retrieval_weight, assistant.settings.reader_windows
    print(f"sure_margin  answer contained  one window read   (retrieval_weight {weight:g}, {count} windows)")
    for sure in SURE:
        picks = [(row, *chosen(found, read, weight, sure)) for row, read, found in first(count)]
        right = sum(contained(row, reading) for row, reading, _ in picks)
        early = sum(stopped for _, _, stopped in picks)
        print(f"{sure:11.1f}  {right / len(sample):16.3f}  {early / len(sample):15.3f}")


if __name__ == "__main__":
    main()
