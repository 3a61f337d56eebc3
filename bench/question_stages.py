"""Where a warm question's time goes, part by part, on one of the evaluation corpora: spaCy's pass (the entity
recogniser alone, as newsdesk runs it, and the whole entities pipeline it used to run), the question's
embedding, dense and keyword search under the question's filters, retrieval as a whole, choosing windows
(by stems, and as the settings choose them) and reading them, and the whole ask() against one question's
embedding. Each question is asked as of its own day when it has one, as `qa eval` asks it.

    python bench/question_stages.py [--set realtimeqa|squad11] [--questions 150]

Needs the corpus's index in eval/cache/ (built by `qa eval --corpus ...`). Prints p50/p95 ms; asserts nothing.
"""

from __future__ import annotations

import argparse
import time

from qa.answer.answerer import select_windows
from qa.assistant import Assistant
from qa.evaluation.metrics import percentile
from qa.evaluation.runner import cache_dir, load_questions
from qa.filters import Filters
from qa.language import entities, pipeline
from qa.settings import PROJECT_ROOT, Settings

EVALDATA = PROJECT_ROOT.parent / "shared" / "evaldata"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="realtimeqa", choices=["realtimeqa", "squad11"])
    parser.add_argument("--questions", type=int, default=150)
    args = parser.parse_args()

    corpus = EVALDATA / args.set / "corpus.jsonl"
    assistant = Assistant(Settings.from_env(corpus_dir=corpus, index_dir=cache_dir(corpus)))
    assistant.warm_up()
    retriever, index, settings = assistant.retriever, assistant.retriever.index, assistant.settings
    rows = list(load_questions(EVALDATA / args.set / "questions.jsonl", args.questions))
    times: dict[str, list[float]] = {}

    def timed(part: str, fn, *args, **kwargs):
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        times.setdefault(part, []).append((time.perf_counter() - started) * 1000)
        return result

    for row in rows[:5]:  # warm caches and sessions
        assistant.run(row["question"], as_of=row.get("question_date"))
    for row in rows:
        question, filters = row["question"], Filters.of(as_of=row.get("question_date"))
        timed("spaCy: whole entities pipeline", pipeline("entities"), question)
        timed("spaCy: recogniser alone", entities, question)
        vector = timed("question embedding", retriever.encoder.query, question)
        timed("dense search", index.search_dense, vector, settings.candidates, filters)
        timed("keyword search", index.search_keyword, question, settings.candidates, filters)
        passages, _ = timed("retrieval, all of it", assistant.passages, question, settings.k, filters=filters)
        timed("choosing windows by stems", select_windows, question, passages, settings.reader_windows)
        meaning = assistant.answerer.meaning
        windows = timed(
            "choosing windows (setting)", select_windows, question, passages, settings.reader_windows, meaning
        )
        timed("reading", assistant.answerer.read, question, windows)
        timed("ask(), all of it", assistant.run, question, as_of=row.get("question_date"))
    print(f"{len(rows)} questions of {args.set}, one thread; p50 / p95 ms")
    for part, values in times.items():
        print(f"{part:32} {percentile(values, 50):7.2f} {percentile(values, 95):7.2f}")
    ratio = percentile(times["ask(), all of it"], 50) / percentile(times["question embedding"], 50)
    print(f"ask() p50 is {ratio:.1f} times a question's embedding p50")


if __name__ == "__main__":
    main()
