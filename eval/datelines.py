"""Measure what an article's text alone tells of its outlet and date, against the metadata it came with.

    python eval/datelines.py [--corpus ../shared/evaldata/realtimeqa/corpus.jsonl] [--json eval/out/datelines.json]

Each record is cleaned as a plain-text file would be (its metadata withheld), so its date and outlet come
only from its own lines: a dateline, a byline, a "Published" line, a caption, repeated site lines. Precision:
of the articles given a value, the share whose value matches the metadata; recall: of the articles whose
metadata has one, the share given the matching value. An outlet matches a domain when one's letters begin
the other's ("CNN Business" and cnn.com, "USA TODAY" and usatoday.com); a date must be the same day.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from qa.ingest.cleaning import clean_corpus
from qa.ingest.loaders import RawArticle
from qa.settings import PROJECT_ROOT

RTQA = PROJECT_ROOT.parent / "shared" / "evaldata" / "realtimeqa" / "corpus.jsonl"


def same_outlet(name: str, domain: str) -> bool:
    """Whether an outlet's name is the site at `domain` (its name under the public suffix)."""
    labels = [label for label in domain.lower().split(".") if label not in ("www", "com", "co", "uk", "org", "net")]
    site = labels[-1] if labels else ""
    letters = re.sub(r"[^a-z0-9]", "", name.lower())
    return bool(site and letters) and (letters.startswith(site) or site.startswith(letters))


def measure(corpus: Path) -> dict:
    records = [json.loads(line) for line in corpus.open(encoding="utf-8") if line.strip()]
    figures: dict[str, dict] = {}
    found = {"source": Counter(), "date": Counter()}
    found_right = {"source": Counter(), "date": Counter()}
    differing = {"source": Counter(), "date": Counter()}
    given = {"source": 0, "date": 0}
    right = {"source": 0, "date": 0}
    known = {"source": 0, "date": 0}
    for record in records:
        article = RawArticle(key=f"{record['id']}.txt", text=record["text"])  # the text alone, no metadata
        documents = clean_corpus([article]).documents
        if not documents:
            continue
        document = documents[0]
        truth = {"source": record.get("source"), "date": record.get("published_at")}
        guess = {"source": document.source, "date": document.date}
        where = {"source": document.source_from, "date": document.date_from}
        for kind in ("source", "date"):
            known[kind] += bool(truth[kind])
            if guess[kind]:
                given[kind] += 1
                found[kind][where[kind]] += 1
                match = same_outlet(guess[kind], truth[kind] or "") if kind == "source" else guess[kind] == truth[kind]
                right[kind] += bool(truth[kind]) and match
                found_right[kind][where[kind]] += bool(truth[kind]) and match
                if truth[kind] and not match:
                    differing[kind][f"{guess[kind]} (metadata: {truth[kind]})"] += 1
    for kind in ("source", "date"):
        figures[kind] = {
            "articles": len(records),
            "with_metadata": known[kind],
            "given_by_text": given[kind],
            "matching": right[kind],
            "precision": round(right[kind] / given[kind], 3) if given[kind] else None,
            "recall": round(right[kind] / known[kind], 3) if known[kind] else None,
            "found_in": {where: [n, found_right[kind][where]] for where, n in found[kind].most_common()},
            "differing": dict(differing[kind].most_common(10)),
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=RTQA)
    parser.add_argument("--json", type=Path, default=PROJECT_ROOT / "eval" / "out" / "datelines.json")
    args = parser.parse_args()
    figures = measure(args.corpus)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    for kind, row in figures.items():
        print(
            f"{kind}: {row['given_by_text']} of {row['articles']} articles given one by their text, "
            f"{row['matching']} matching their metadata: precision {row['precision']}, recall {row['recall']} "
            f"(of {row['with_metadata']} with metadata); [given, matching] by where found: {row['found_in']}"
        )


if __name__ == "__main__":
    main()
