"""Keyword search at growing sizes: bm25s (rebuilt from zero on every update) against tantivy (segments that
grow: adds and deletes are new segments and tombstones, merged in the background), as newsdesk uses it
(qa/index/keyword.py: an update links the previous segments and writes only the change).

    python bench/keyword.py [--sizes 10000 100000 1000000] [--queries 200] [--add 10000]

Text: the RealTimeQA dev index's real chunk texts (eval/cache/, built by `qa eval --corpus
../shared/evaldata/realtimeqa/corpus.jsonl`), replicated to reach each size; queries are RealTimeQA dev
questions. Both engines see the same stemmed, stop-word-free terms (qa/index/keyword.py). Prints build
time, the time to add `--add` chunks (about 1,000 articles) and delete 1,000 articles, search p50/p95 for
the top 50, disk, and how many of bm25s' top 10 tantivy also returns.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.evaluation.metrics import percentile
from qa.evaluation.runner import cache_dir
from qa.index.keyword import KeywordEntry, KeywordIndex, normalise
from qa.index.store import load_index
from qa.ingest.chunking import embedding_text
from qa.normalise import stemmer
from qa.settings import PROJECT_ROOT

RTQA = PROJECT_ROOT.parent / "shared" / "evaldata" / "realtimeqa"


def disk(folder: Path) -> float:
    return sum(file.stat().st_size for file in folder.rglob("*") if file.is_file()) / 2**20


class Bm25s:
    """bm25s as newsdesk used it before tantivy: one index over every chunk, rebuilt to change anything."""

    def __init__(self, texts: list[str]) -> None:
        import bm25s

        self.engine = bm25s.BM25()
        self.engine.index(
            bm25s.tokenize([normalise(t) for t in texts], stopwords="en", stemmer=stemmer(), show_progress=False),
            show_progress=False,
        )

    def search(self, query: str, n: int) -> list[int]:
        import bm25s

        tokens = bm25s.tokenize(
            [normalise(query)], stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False
        )
        if not tokens[0]:
            return []
        rows, scores = self.engine.retrieve(tokens, k=n, show_progress=False, n_threads=1)
        return [int(r) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]


def timed(fn, *args) -> tuple[object, float]:
    started = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--add", type=int, default=10_000)
    args = parser.parse_args()
    index = load_index(cache_dir(RTQA / "corpus.jsonl"))
    base = [embedding_text(index.documents[c.doc_id], c) for c in index.chunks]
    rows = [json.loads(line) for line in (RTQA / "questions.jsonl").read_text("utf-8").splitlines()]
    questions = [row["question"] for row in rows[:: max(1, len(rows) // args.queries)]][: args.queries]
    print(f"base: {len(base):,} RealTimeQA chunk texts; {len(questions)} queries; top 50; tantivy on every core")
    print("size       engine   build s  add s  delete s  MB     p50 ms  p95 ms  top-10 shared")
    for size in args.sizes:
        # copy c of base chunk i is chunk 0 of article "c-i": deleting an article deletes one chunk
        picks = np.arange(size + args.add) % len(base)
        articles = [f"{row // len(base)}-{row % len(base)}" for row in range(size + args.add)]

        bm25, build = timed(Bm25s, [base[i] for i in picks[:size]])
        _, rebuild = timed(Bm25s, [base[i] for i in picks])  # what adding --add chunks costs bm25s: all of it
        seconds, found = [], []
        for question in questions:
            result, took = timed(bm25.search, question, 50)
            seconds.append(took)
            found.append({int(picks[row]) for row in result[:10]})  # copies of one text count alike
        folder = Path(tempfile.mkdtemp())
        bm25.engine.save(str(folder))
        print(
            f"{size:<10,} bm25s  {build:8.1f} {rebuild:6.1f}  {'rebuild':>8}  {disk(folder):5.0f}  "
            f"{percentile(seconds, 50) * 1000:6.2f}  {percentile(seconds, 95) * 1000:6.2f}  -",
            flush=True,
        )
        shutil.rmtree(folder)
        del bm25

        work = Path(tempfile.mkdtemp())
        threads = os.cpu_count() or 1
        first = (KeywordEntry(articles[i], 0, base[picks[i]]) for i in range(size))
        engine, build = timed(KeywordIndex.build, first, work / "first", threads)
        seconds, shared = [], []
        for question, expected in zip(questions, found, strict=True):
            result, took = timed(engine.search, question, 50)
            seconds.append(took)
            got = {int(doc_id.split("-")[1]) for (doc_id, _), _ in result[:10]}
            shared.append(len(got & expected) / max(1, len(expected)))
        more = (KeywordEntry(articles[i], 0, base[picks[i]]) for i in range(size, size + args.add))
        grown, add = timed(engine.grown, work / "grown", more, (), threads)
        _, delete = timed(grown.grown, work / "shrunk", (), articles[size : size + 1000], threads)
        print(
            f"{size:<10,} tantivy{build:8.1f} {add:6.1f}  {delete:8.1f}  {disk(work / 'first'):5.0f}  "
            f"{percentile(seconds, 50) * 1000:6.2f}  {percentile(seconds, 95) * 1000:6.2f}  {np.mean(shared):.3f}",
            flush=True,
        )
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
