"""What `qa index` and `qa info` print about an index: the build's summary and the index's rows."""

from __future__ import annotations


def index_summary(report, settings, where: str) -> dict:
    """What `qa index --json` prints."""
    return {
        "documents": report.documents,
        "chunks": report.chunks,
        "added": report.added,
        "changed": report.changed,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "embedded_chunks": report.embedded_chunks,
        "seconds": round(report.seconds, 2),
        "embed_seconds": round(report.embed_seconds, 2),
        "chunks_per_second": round(report.chunks_per_second, 1),
        "mode": report.reason,
        "skipped": [str(p) for p in report.problems],
        "rejected": [{"file": r.name, "reason": r.reason, "moved_to": str(r.path)} for r in report.rejected],
        "duplicates": report.duplicates,
        "leftovers_removed": report.leftovers,
        "corpus": str(settings.corpus_dir),
        "index_dir": str(settings.index_dir),
        "index": where,
    }


def info_rows(data: dict) -> list[tuple[str, str]]:
    """What `qa info` shows of an index, a row each."""
    changes = ", ".join(f"{n} {kind}" for kind, n in data["changes"].items() if n) or "none"
    settings = data.get("settings") or {}
    return [
        ("folder", data["corpus"]),
        ("index", data["index"]),
        ("articles", f"{data['documents']:,}"),
        ("chunks", f"{data['chunks']:,}"),
        ("model", f"{data['model']} ({data['dimensions']} dimensions, {data['dense_index']} search)"),
        ("chunking", ", ".join(f"{key} {value}" for key, value in settings.items())),
        ("built", f"{data['built']} ({_age(data['age_seconds'])} ago)"),
        ("changed since", changes),
        ("set aside", "; ".join(data["rejected"]) or "none"),
        *_backfill_row(data.get("backfill")),
    ]


def _backfill_row(backfill: dict | None) -> list[tuple[str, str]]:
    if not backfill:
        return []
    state = "complete" if backfill["finished"] else "in progress, or stopped: run the same `qa index` to resume"
    return [("backfill", f"{backfill['written']:,} of {backfill['articles']:,} articles written ({state})")]


def _age(seconds: float) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} seconds"
