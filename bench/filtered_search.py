"""Search under a filter on a real archive: each RealTimeQA dev question asked "as of" its own day, which keeps
most of the 3,695 articles. Keyword search the way newsdesk does it (a broad filter applied to over-fetched
BM25 hits) against tantivy matching every allowed article id itself; dense search with a bitmap of allowed
vectors against FAISS's id set. Prints p50/p95 ms per question (FAISS on its default threads, as newsdesk
runs it) and whether the hits agree.

    python bench/filtered_search.py [--questions 150]

Needs the RealTimeQA index in eval/cache/ (built by `qa eval --corpus ../shared/evaldata/realtimeqa/corpus.jsonl`).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qa.assistant import Assistant
from qa.evaluation.metrics import percentile
from qa.evaluation.runner import cache_dir, load_questions
from qa.filters import Filters
from qa.settings import PROJECT_ROOT, Settings

REALTIMEQA = PROJECT_ROOT.parent / "shared" / "evaldata" / "realtimeqa"


def timed(times: list[float], fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    times.append((time.perf_counter() - started) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=150)
    args = parser.parse_args()

    import faiss

    import qa.index.keyword as keyword

    corpus = REALTIMEQA / "corpus.jsonl"
    assistant = Assistant(Settings.from_env(corpus_dir=corpus, index_dir=cache_dir(corpus)))
    assistant.warm_up()
    index = assistant.retriever.index
    rows = list(load_questions(REALTIMEQA / "questions.jsonl", args.questions))
    names = ("bm25 ids", "bm25 over-fetch", "dense id set", "dense bitmap")
    times: dict[str, list[float]] = {name: [] for name in names}
    kept, same_keyword, same_dense = [], 0, 0
    for row in rows:
        filters = Filters.of(as_of=row.get("question_date"))
        allowed, rows_allowed = index._doc_ids(filters), index._rows(filters)
        kept.append(len(allowed))
        question = row["question"]
        narrow, keyword.NARROW_FILTER = keyword.NARROW_FILTER, 10**9
        matched = timed(times["bm25 ids"], index.keyword.search, question, 50, allowed)
        keyword.NARROW_FILTER = narrow
        fetched = timed(times["bm25 over-fetch"], index.keyword.search, question, 50, allowed)
        same_keyword += matched == fetched

        vector = assistant.retriever.encoder.query(question).reshape(1, -1)
        ids = index.dense._stored_ids()[rows_allowed]

        def by_id_set(vector=vector, ids=ids):  # the selector is built per search, as newsdesk built it
            return index.dense._index.search(vector, 50, params=faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids)))

        _, by_set = timed(times["dense id set"], by_id_set)
        by_bitmap = timed(times["dense bitmap"], index.dense.search, vector, 50, rows_allowed)
        same_dense += [int(index.dense.rows[i]) if index.dense.rows is not None else int(i) for i in by_set[0]] == [
            row for row, _ in by_bitmap
        ]
    median = int(np.median(kept))
    print(f"{len(rows)} questions; articles the as-of filter keeps: median {median} of {index.document_count}")
    for name, values in times.items():
        print(f"{name:16} p50 {percentile(values, 50):6.2f} ms   p95 {percentile(values, 95):6.2f} ms")
    print(f"same top 50: keyword {same_keyword}/{len(rows)}, dense {same_dense}/{len(rows)}")


if __name__ == "__main__":
    main()
