"""Answers, timelines and tables as people read them in a terminal: markdown rendered and citations indented
under their number on a terminal; plain text without markdown when the output is piped or redirected."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from qa.normalise import strip_controls
from qa.types import Answer

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_INDENT = 4


def printable(text: str) -> str:
    """`text` without control characters, so an article cannot drive the terminal."""
    return strip_controls(text)


def safe(text: str) -> str:
    """`text` printable and with rich's markup escaped, for lines that also carry our own styling."""
    return escape(printable(text))


def plain(markdown: str) -> str:
    """The answer's markdown as plain text: bold marks dropped (the only markdown answers carry)."""
    return _BOLD.sub(r"\1", markdown)


class Terminal:
    """Writes to one console: rich on a terminal, plain lines anywhere else."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)

    @property
    def rich(self) -> bool:
        return self.console.is_terminal

    def line(self, text: str = "", style: str | None = None) -> None:
        """One line of our own text, as it is (no markup read, nothing highlighted)."""
        rich = self.rich  # piped: whole lines, never wrapped at the console's width
        self.console.print(
            printable(text), style=style if rich else None, markup=False, highlight=False, soft_wrap=not rich
        )

    def answer(self, answer: Answer) -> None:
        """The answer, the notes on how it was read, and its numbered sources."""
        text = printable(answer.text)
        if self.rich:
            from rich.markdown import Markdown

            self.console.print(Markdown(text))
        else:
            self.line(plain(text))
        if answer.resolved_question:
            self.line(f"(understood as: {answer.resolved_question})", "dim")
        if answer.dates_read:
            self.line(f"(read {answer.dates_read})", "dim")
        for citation in answer.citations:
            meta = ", ".join(part for part in (citation.source, citation.date) if part)
            self.line()
            self.line(f"[{citation.number}] {citation.title}" + (f" — {meta}" if meta else ""), "bold")
            self.indented(f"“{citation.sentence}”", "italic")
        if not answer.answered and answer.refusal_reason:
            self.line(f"(why: {answer.refusal_reason})", "dim")
        if not answer.answered and answer.related:
            self.line()
            self.line("Related (not sources):", "dim")
            for passage in answer.related[:3]:
                self.indented(f"- {passage.document.title}: {passage.text[:160]}…", "dim")

    def indented(self, text: str, style: str | None = None) -> None:
        """`text` indented under the line above; on a terminal its wrapped lines keep the indent."""
        if self.rich:
            self.console.print(Padding(Text(printable(text), style=style or ""), (0, 0, 0, _INDENT)))
        else:
            self.line(" " * _INDENT + text)

    def table(self, rows: Iterable[tuple[str, str]], title: str | None = None) -> None:
        """Two columns, a name and its value; tab-separated lines when piped."""
        if not self.rich:
            if title:
                self.line(f"{title}:")
            for name, value in rows:
                self.line(f"{name}\t{value}")
            return
        table = Table(title=title, show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for name, value in rows:
            table.add_row(Text(printable(name)), Text(printable(value)))
        self.console.print(table)
