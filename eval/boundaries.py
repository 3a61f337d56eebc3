"""Check the quoting contract over whole corpora: every sentence and chunk is an exact slice of its
document and starts and ends on whitespace. Prints the count of violations per corpus (0 is the goal).

    python eval/boundaries.py corpus ../shared/evaldata/squad11/corpus.jsonl ../shared/evaldata/realtimeqa/corpus.jsonl
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from qa.index.encoder import Encoder
from qa.ingest.chunking import Chunker, boundary_problems
from qa.ingest.cleaning import clean_articles
from qa.ingest.loaders import load_corpus
from qa.settings import Settings


def main(paths: list[str]) -> int:
    settings = Settings.from_env()
    encoder = Encoder(settings)
    chunker = Chunker(encoder.count_tokens, settings.chunk_tokens, settings.overlap_sentences, encoder.max_tokens)
    total = 0
    for path in paths:
        started = time.perf_counter()
        documents = clean_articles(load_corpus(Path(path))[0])
        problems, chunks, sentences = [], 0, 0
        for document in documents:
            doc_chunks = chunker.run(document)
            chunks += len(doc_chunks)
            sentences += len({span for chunk in doc_chunks for span in chunk.sentences})
            problems += boundary_problems(document, doc_chunks)
        total += len(problems)
        seconds = time.perf_counter() - started
        print(
            f"{path}: {len(documents)} articles, {sentences} sentences, {chunks} chunks, "
            f"{len(problems)} violations ({seconds:.0f} s)"
        )
        for problem in problems[:20]:
            print("   ", problem)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["corpus"]))
