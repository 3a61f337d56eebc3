"""Answers as people read them: rendered on a terminal with citations indented, plain when piped."""

from io import StringIO

from rich.console import Console

from qa.present.terminal import Terminal, plain
from qa.types import Answer, Citation


def _answer() -> Answer:
    sentence = "The statement said the act of aggression resulted in the death of 16 people and injury of 36 others."
    citation = Citation(1, "d", "A headline", "2024-02-03", "Press TV", None, sentence, 0, sentence, 0, 10, 1.0)
    text = "**16**, according to the statement [1]."
    return Answer(question="q", text=text, answered=True, short_answer="16", citations=[citation])


def test_piped_output_is_plain_text_with_citations_indented_and_unwrapped():
    written = StringIO()
    Terminal(Console(file=written, width=40)).answer(_answer())
    lines = written.getvalue().splitlines()
    assert lines[0] == "16, according to the statement [1]."
    assert "[1] A headline — Press TV, 2024-02-03" in lines
    assert any(line.startswith("    “The statement said") and line.endswith("36 others.”") for line in lines)


def test_a_terminal_renders_the_markdown_and_wraps_a_citation_under_its_number():
    written = StringIO()
    Terminal(Console(file=written, width=40, force_terminal=True, color_system=None)).answer(_answer())
    lines = written.getvalue().splitlines()
    assert lines[0].rstrip() == "16, according to the statement [1]."  # bold rendered, no asterisks
    first = next(i for i, line in enumerate(lines) if line.startswith("    “The statement"))
    quote = lines[first:]
    assert len(quote) >= 2 and all(line.startswith("    ") for line in quote) and "36 others" in quote[-1]


def test_plain_drops_bold_marks_only():
    assert plain("**F-15E** jets [1], *not* italics") == "F-15E jets [1], *not* italics"
