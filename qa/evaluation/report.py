"""Show evaluation results: a terminal table, a Markdown report with one plot, and a JSON file."""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from qa.evaluation.metrics import Outcome

FAILURES_SHOWN = 25


def print_report(summary: dict, outcomes: list[Outcome], adversarial: list[dict], console: Console) -> None:
    table = Table(title=f"qa eval — {summary['questions']} questions", show_header=True)
    table.add_column("group")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for group, values in summary.items():
        if not isinstance(values, dict):
            continue
        for name, value in values.items():
            table.add_row(group, name, _fmt(value))
    if adversarial:
        passed = sum(case["ok"] for case in adversarial)
        table.add_row("adversarial", "expected behaviour", f"{passed}/{len(adversarial)}")
    console.print(table)
    failures = [o for o in outcomes if not o.correct]
    if failures:
        shown = Table(title=f"failures ({len(failures)}, first {min(len(failures), FAILURES_SHOWN)})")
        for column in ("id", "question", "expected", "got", "cited title"):
            shown.add_column(column, overflow="fold")
        for o in failures[:FAILURES_SHOWN]:
            got = o.short_answer or ("(refused)" if not o.answered else o.got[:120])
            shown.add_row(o.id, o.question, " | ".join(o.expected) or "(refuse)", got, o.cited_title[:60])
        console.print(shown)
    for case in adversarial:
        if not case["ok"]:
            console.print(f"[red]adversarial[/red] {case['why']}: expected {case['expect']}, got {case['got']}")


def write_json(
    path: Path, summary: dict, outcomes: list[Outcome], adversarial: list[dict], settings: dict | None = None
) -> None:
    """The run as JSON: its figures, each question's outcome, and the settings it ran with (runtime, reader)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "summary": summary,
        "settings": settings or {},
        "questions": [o.__dict__ for o in outcomes],
        "adversarial": adversarial,
    }
    path.write_text(json.dumps(data, indent=1, default=str), "utf-8")


def write_markdown(path: Path, summary: dict, outcomes: list[Outcome]) -> None:
    """A Markdown report with the metric table, accuracy by question type as a plot, and the failures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"# qa eval report\n\n{summary['questions']} questions.\n", "| group | metric | value |", "|---|---|---|"]
    for group, values in summary.items():
        if isinstance(values, dict):
            lines += [f"| {group} | {name} | {_fmt(value)} |" for name, value in values.items()]
    plot = _plot_by_type(path.with_suffix(".png"), outcomes)
    if plot:
        lines.append(f"\n![accuracy by question type]({plot.name})\n")
    failures = [o for o in outcomes if not o.correct]
    lines += ["\n## Failures\n", "| id | question | expected | got | cited |", "|---|---|---|---|---|"]
    for o in failures:
        got = o.short_answer or ("(refused)" if not o.answered else o.got[:100].replace("\n", " "))
        lines.append(f"| {o.id} | {o.question} | {' / '.join(o.expected) or '(refuse)'} | {got} | {o.cited_title} |")
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _plot_by_type(path: Path, outcomes: list[Outcome]) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    types: dict[str, list[bool]] = {}
    for o in outcomes:
        types.setdefault(o.type or "other", []).append(o.correct)
    names = sorted(types)
    values = [sum(types[n]) / len(types[n]) for n in names]
    figure, axis = plt.subplots(figsize=(7, 3.5))
    axis.barh(names, values, color="#3b6ea5")
    axis.set_xlim(0, 1)
    axis.set_xlabel("share correct")
    axis.set_title("Accuracy by question type")
    for y, (name, value) in enumerate(zip(names, values, strict=True)):
        axis.text(min(value + 0.01, 0.9), y, f"{value:.0%} of {len(types[name])}", va="center", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _fmt(value: object) -> str:
    if isinstance(value, dict):
        return " / ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)
