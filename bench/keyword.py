"""Keyword search at growing sizes: bm25s (rebuilt from zero on every update) against tantivy (segments that
grow: adds and deletes are new segments and tombstones, merged in the background).

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
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.evaluation.metrics import percentile
from qa.evaluation.runner import cache_dir
from qa.index.keyword import KeywordIndex
from qa.index.store import load_index
from qa.ingest.chunking import embedding_text
from qa.settings import PROJECT_ROOT

RTQA = PROJECT_ROOT.parent / "shared" / "evaldata" / "realtimeqa"


def disk(folder: Path) -> float:
    return sum(file.stat().st_size for file in folder.rglob("*") if file.is_file()) / 2**20


class Tantivy:
    """A tantivy index over pre-analysed terms, keyed by chunk key and article id."""

    def __init__(self, folder: Path) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("terms", stored=False, tokenizer_name="whitespace", index_option="freq")
        builder.add_text_field("key", stored=True, tokenizer_name="raw")
        builder.add_text_field("doc", stored=False, tokenizer_name="raw")
        self.index = tantivy.Index(builder.build(), path=str(folder))
        self.writer = self.index.writer(heap_size=512_000_000)

    def add(self, rows: list[tuple[str, str, str]]) -> None:
        import tantivy

        for key, doc, terms in rows:
            self.writer.add_document(tantivy.Document(key=key, doc=doc, terms=terms))
        self.writer.commit()
        self.index.reload()

    def delete(self, docs: list[str]) -> None:
        for doc in docs:
            self.writer.delete_documents_by_term("doc", doc)
        self.writer.commit()
        self.index.reload()

    def search(self, terms: list[str], n: int) -> list[str]:
        if not terms:
            return []
        searcher = self.index.searcher()
        hits = searcher.search(self.index.parse_query(" ".join(terms), ["terms"]), n).hits
        return [searcher.doc(address)["key"][0] for _, address in hits]


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
    base_docs = [c.doc_id for c in index.chunks]
    analyser = KeywordIndex()
    base_terms = [" ".join(t) for t in analyser.terms_of(base)]
    rows = [json.loads(line) for line in (RTQA / "questions.jsonl").read_text("utf-8").splitlines()]
    questions = [row["question"] for row in rows[:: max(1, len(rows) // args.queries)]][: args.queries]
    query_terms = [analyser.terms(q) for q in questions]
    print(f"base: {len(base):,} RealTimeQA chunk texts; {len(questions)} queries; top 50")
    print("size       engine   build s  add s  delete s  MB     p50 ms  p95 ms  top-10 shared")
    for size in args.sizes:
        picks = np.arange(size + args.add) % len(base)
        copies = np.arange(size + args.add) // len(base)
        keys = [f"{base_docs[i]}-{c}:{i}" for i, c in zip(picks, copies, strict=True)]
        docs = [f"{base_docs[i]}-{c}" for i, c in zip(picks, copies, strict=True)]

        texts = [base[i] for i in picks[:size]]
        bm25, build = timed(KeywordIndex.build, texts)
        grown = [base[i] for i in picks]
        _, rebuild = timed(KeywordIndex.build, grown)  # what adding --add chunks costs bm25s: all of it again
        folder = Path(tempfile.mkdtemp())
        bm25.save(folder)
        seconds, found = [], []
        for question in questions:
            result, took = timed(bm25.search, question, 50)
            seconds.append(took)
            found.append([keys[row].split(":")[1] for row, _ in result[:10]])  # copies of one text count alike
        print(
            f"{size:<10,} bm25s  {build:8.1f} {rebuild:6.1f}  {'rebuild':>8}  {disk(folder):5.0f}  "
            f"{percentile(seconds, 50) * 1000:6.2f}  {percentile(seconds, 95) * 1000:6.2f}  -",
            flush=True,
        )
        shutil.rmtree(folder)
        del bm25

        folder = Path(tempfile.mkdtemp())
        engine = Tantivy(folder)
        started = time.perf_counter()
        engine.add([(keys[i], docs[i], base_terms[picks[i]]) for i in range(size)])
        build = time.perf_counter() - started  # terms were analysed once for both engines
        seconds, shared = [], []
        for terms, expected in zip(query_terms, found, strict=True):
            result, took = timed(engine.search, terms, 50)
            seconds.append(took)
            base_rows = {key.split(":")[1] for key in result[:10]}
            shared.append(len(base_rows & set(expected)) / max(1, len(set(expected))))
        _, add = timed(engine.add, [(keys[i], docs[i], base_terms[picks[i]]) for i in range(size, size + args.add)])
        gone = sorted(set(docs[size : size + args.add]))[:1000]
        _, delete = timed(engine.delete, gone)
        print(
            f"{size:<10,} tantivy{build:8.1f} {add:6.1f}  {delete:8.1f}  {disk(folder):5.0f}  "
            f"{percentile(seconds, 50) * 1000:6.2f}  {percentile(seconds, 95) * 1000:6.2f}  {np.mean(shared):.3f}",
            flush=True,
        )
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
