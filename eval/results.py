"""Write docs/results.md from the `qa eval --json` outputs in eval/out/, with plots, so the figures a user
reads are the figures a run produced, never pasted by hand.

    qa eval                                                     # eval/out/shipped-hybrid.json
    qa eval --set eval/out/squad11-heldout.jsonl --corpus ../shared/evaldata/squad11/corpus.jsonl --limit 300
    python eval/results.py [--out docs/results.md]

Each `*.json` written by `qa eval` becomes a section: its figures, accuracy by question type as a bar
chart, where answers are lost (answer in the retrieved passages, in the answer, refused), and latency
by stage. eval/datelines.py's output, when present, adds its precision and recall.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

from qa.settings import PROJECT_ROOT

OUT = PROJECT_ROOT / "eval" / "out"
DOCS = PROJECT_ROOT / "docs"
METRICS = (
    ("retrieval", "recall@5", "gold article in the top 5 passages"),
    ("answers", "exact_match", "exact match"),
    ("answers", "f1", "F1"),
    ("answers", "contained", "an accepted answer contained in the answer"),
    ("citations", "cited_sentence_holds_answer", "cited sentence holds the answer"),
    ("refusals", "false_refusal_rate", "answerable questions refused"),
    ("refusals", "false_answer_rate", "unanswerable questions answered"),
    ("refusals", "accuracy", "refusal accuracy"),
    ("conversations", "follow_up_accuracy", "follow-ups answered right"),
)


def section(path: Path, figures: Path) -> list[str]:
    """The Markdown of one `qa eval` output, its plots written into `figures`."""
    run = json.loads(path.read_text(encoding="utf-8"))
    summary, outcomes, settings = run["summary"], run["questions"], run.get("settings", {})
    name = path.stem
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    lines = [f"## {name}", "", f"{summary['questions']} questions, run {when} (`{shown}`)."]
    if settings:
        lines.append(f"Reader `{Path(str(settings.get('reader_dir', ''))).name}`, runtime {settings.get('runtime')}.")
    lines += ["", "| figure | value |", "|---|---|"]
    for group, key, label in METRICS:
        value = summary.get(group, {}).get(key)
        if isinstance(value, float):
            lines.append(f"| {label} | {value:.3f} |")
    speed = summary.get("speed", {})
    if "total_ms" in speed:
        lines.append(f"| latency p50 / p95 (ms) | {speed['total_ms']['p50']:.1f} / {speed['total_ms']['p95']:.1f} |")
    lines += ["", f"![accuracy by question type]({_by_type(outcomes, figures / f'{name}-types.png')})"]
    lines += [f"![latency by stage]({_stages(speed, figures / f'{name}-latency.png')})", ""]
    return lines


def _by_type(outcomes: list[dict], target: Path) -> str:
    plt = _pyplot()
    groups: dict[str, list[bool]] = defaultdict(list)
    for outcome in outcomes:
        if outcome["expected"]:
            groups[outcome.get("type") or "other"].append(bool(outcome["contained"]))
    names = sorted(groups, key=lambda name: -len(groups[name]))
    shares = [sum(groups[name]) / len(groups[name]) for name in names]
    figure, axes = plt.subplots(figsize=(9, 3.8))
    axes.bar([f"{name} ({len(groups[name])})" for name in names], shares, color="#3b6ea8")
    axes.tick_params(axis="x", labelrotation=35)
    axes.set_ylim(0, 1)
    axes.set_ylabel("answer contained")
    axes.set_title("Answerable questions answered, by type (questions)")
    figure.tight_layout()
    return _save(figure, target)


def _stages(speed: dict, target: Path) -> str:
    plt = _pyplot()
    stages = [key.removesuffix("_ms") for key in speed if key.endswith("_ms") and key != "total_ms"]
    figure, axes = plt.subplots(figsize=(7, 3))
    for offset, percentile in ((-0.2, "p50"), (0.2, "p95")):
        values = [speed[f"{stage}_ms"][percentile] for stage in stages]
        axes.bar([i + offset for i in range(len(stages))], values, width=0.4, label=percentile)
    axes.set_xticks(range(len(stages)), stages)
    axes.set_ylabel("milliseconds")
    axes.set_title("Time per question, by stage")
    axes.legend()
    figure.tight_layout()
    return _save(figure, target)


def _pyplot():
    """matplotlib's pyplot drawing into files (no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(figure, target: Path) -> str:
    plt = _pyplot()

    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=90)
    plt.close(figure)
    return str(target.relative_to(DOCS)) if target.is_relative_to(DOCS) else str(target)


def datelines_section(path: Path) -> list[str]:
    figures = json.loads(path.read_text(encoding="utf-8"))
    lines = [
        "## What articles say of themselves",
        "",
        "From `python eval/datelines.py` (RealTimeQA dev, text only):",
        "",
    ]
    lines += ["| | given by the text | matching metadata | precision | recall |", "|---|---|---|---|---|"]
    for kind, row in figures.items():
        lines.append(
            f"| {kind} | {row['given_by_text']} of {row['articles']} | {row['matching']} | "
            f"{row['precision']} | {row['recall']} |"
        )
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=Path, default=OUT, help="folder of `qa eval --json` outputs")
    parser.add_argument("--out", type=Path, default=DOCS / "results.md")
    args = parser.parse_args()
    runs = sorted(path for path in args.runs.glob("*.json") if path.name != "datelines.json")
    lines = [
        "# Results",
        "",
        "Written by `python eval/results.py` from the `qa eval` outputs in `eval/out/`; do not edit by hand.",
        "Earlier measurements: `docs/history.md`; the reader's: `docs/reader.md`.",
        "",
    ]
    for path in runs:
        if "summary" in json.loads(path.read_text(encoding="utf-8")):
            lines += section(path, args.out.parent / "figures")
    if (args.runs / "datelines.json").exists():
        lines += datelines_section(args.runs / "datelines.json")
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.out} from {len(runs)} runs")


if __name__ == "__main__":
    main()
