"""Indexing throughput end to end against the embedding model alone, on the same chunks.

    python bench/throughput.py [--corpus ../shared/evaldata/squad11/corpus.jsonl] [--articles N] [--repeat 1]

"End to end" is `qa index` into a new folder with the model already loaded: reading and cleaning the
corpus, splitting sentences, embedding, the dense and keyword indexes, writing and checksumming. "Raw" is
one `SentenceTransformer.encode` call on the same chunk texts (headline prefix included), the same batch
size and threads, run right after each build. The ratio is the share of raw encoding speed the whole
pipeline keeps. Each stage's wall time is printed too; the first run in a process also pays for spaCy
meeting each word of the vocabulary for the first time, as a fresh `qa index` does. Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from pathlib import Path

from qa.index.builder import Indexer
from qa.index.encoder import Encoder
from qa.index.store import load_index
from qa.ingest.chunking import embedding_text
from qa.settings import PROJECT_ROOT, Settings

SQUAD = PROJECT_ROOT.parent / "shared" / "evaldata" / "squad11" / "corpus.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SQUAD)
    parser.add_argument("--articles", type=int, help="the first N records of a JSON-lines corpus only")
    parser.add_argument("--repeat", type=int, default=1, help="builds and raw encodes, alternated")
    args = parser.parse_args()
    if args.articles:
        sample = Path(tempfile.mkdtemp(prefix="bench-throughput-corpus-")) / args.corpus.name
        with args.corpus.open(encoding="utf-8") as records:
            sample.write_text("".join(itertools.islice(records, args.articles)), "utf-8")
        args.corpus = sample
    settings = Settings.from_env(corpus_dir=args.corpus)
    encoder = Encoder(settings)
    encoder.run(["warm-up sentence"])  # loading the model is start-up, not indexing
    builds, raws = [], []
    for _ in range(args.repeat):
        folder = Path(tempfile.mkdtemp(prefix="bench-throughput-")) / "index"
        started = time.perf_counter()
        report = Indexer(Settings.from_env(corpus_dir=args.corpus, index_dir=folder), encoder).run(args.corpus)
        builds.append((time.perf_counter() - started, report))
        index = load_index(folder)
        texts = [embedding_text(index.documents[chunk.doc_id], chunk) for chunk in index.chunks]
        started = time.perf_counter()
        encoder.run(texts)
        raws.append(time.perf_counter() - started)
    chunks = builds[0][1].embedded_chunks
    print(f"corpus {args.corpus}: {builds[0][1].documents:,} articles, {chunks:,} chunks, batch {settings.batch_size}")
    for number, ((seconds, report), raw) in enumerate(zip(builds, raws, strict=True), 1):
        print(
            f"run {number}: end to end {seconds:.1f} s ({chunks / seconds:.1f} chunks/s), raw encode {raw:.1f} s "
            f"({chunks / raw:.1f} chunks/s), ratio {raw / seconds:.3f}; "
            + ", ".join(f"{stage} {took:.1f} s" for stage, took in report.stages.items())
        )


if __name__ == "__main__":
    main()
