"""`qa chat`: a conversation in the terminal that stays warm between questions. Follow-ups lean on the
answers before them; filters are set by flags and changed by /commands; typed lines are kept as history.
When stdin is not a terminal, each line read from it is a question (or a /command), answered in turn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from qa.errors import InvalidQuestion, NewsdeskError
from qa.filters import Filters
from qa.present.terminal import Terminal
from qa.types import Answer

log = logging.getLogger(__name__)

MAX_TURNS = 10  # earlier answers a follow-up may lean on
HISTORY_LINES = 1000  # typed lines kept in the history file
HELP = """Type a question; a follow-up ("and how many were injured?") leans on the answers before it.
  /since DATE      only articles published on or after DATE (/since alone: no limit)
  /until DATE      only articles published on or before DATE
  /as-of DATE      answer as on that day: nothing published later
  /source NAME     only this outlet (repeat to add one; /source alone: every outlet)
  /sources         the outlets the index holds
  /filters         the filters in force
  /history         the questions asked so far
  /new             a new conversation (filters stay)
  /help            this list;  /quit (or Ctrl-D) ends the chat"""


@dataclass
class ChatState:
    """What the chat carries from one line to the next: filters and the conversation."""

    since: str | None = None
    until: str | None = None
    as_of: str | None = None
    sources: list[str] = field(default_factory=list)
    turns: list[Answer] = field(default_factory=list)

    def filters(self) -> Filters:
        """The filters in force (checked: an unreadable date is an InvalidQuestion)."""
        return Filters.of(since=self.since, until=self.until, as_of=self.as_of, sources=self.sources)


class Chat:
    """One conversation with an Assistant, written to a Terminal."""

    def __init__(self, assistant, terminal: Terminal, state: ChatState | None = None, k: int = 5) -> None:
        self.assistant = assistant
        self.terminal = terminal
        self.state = state or ChatState()
        self.k = k
        self.commands: dict[str, Callable[[str], None]] = {
            "/since": lambda value: self._set("since", value),
            "/until": lambda value: self._set("until", value),
            "/as-of": lambda value: self._set("as_of", value),
            "/source": self._source,
            "/sources": lambda _: self._list_sources(),
            "/filters": lambda _: self._show_filters(),
            "/history": lambda _: self._history(),
            "/new": lambda _: self._new(),
            "/help": lambda _: self.terminal.line(HELP),
        }

    def handle(self, line: str) -> bool:
        """Answer or carry out one line; False when it ends the chat."""
        line = line.strip()
        if not line:
            return True
        if line.split()[0].lower() in ("/quit", "/exit", "/q"):
            return False
        try:
            if line.startswith("/"):
                self._command(line)
            else:
                self._ask(line)
        except InvalidQuestion as error:
            self.terminal.line(str(error), "red")
        except NewsdeskError as error:
            self.terminal.line(f"newsdesk: {error}", "red")
        return True

    def _ask(self, question: str) -> None:
        filters = self.state.filters()
        answer = self.assistant.run(
            question,
            history=self.state.turns,
            k=self.k,
            since=filters.since,
            until=filters.until,
            as_of=filters.as_of,
            sources=list(filters.sources) or None,
        )
        self.terminal.answer(answer)
        self.terminal.line()
        self.state.turns = (self.state.turns + [answer])[-MAX_TURNS:]

    def _command(self, line: str) -> None:
        name, _, value = line.partition(" ")
        command = self.commands.get(name.lower())
        if command is None:
            self.terminal.line(f"unknown command {name}: type /help for the list", "red")
            return
        command(value.strip())

    def _set(self, name: str, value: str) -> None:
        changed = replace(self.state, **{name: value or None})
        changed.filters()  # an unreadable date is refused before it is kept
        self.state = changed
        self._show_filters()

    def _source(self, value: str) -> None:
        self.state.sources = [*self.state.sources, value] if value else []
        self._show_filters()

    def _list_sources(self) -> None:
        self.assistant.warm_up()
        sources = self.assistant.index.sources()
        self.terminal.line("outlets: " + (", ".join(sources) if sources else "none named in the articles"))

    def _show_filters(self) -> None:
        filters = self.state.filters()
        self.terminal.line("filters: " + (filters.describe() if filters.active else "none (every article)"), "dim")

    def _history(self) -> None:
        if not self.state.turns:
            self.terminal.line("no questions yet")
        for number, answer in enumerate(self.state.turns, 1):
            said = answer.short_answer if answer.answered else "(not answered)"
            self.terminal.line(f"{number}. {answer.question} → {said}")

    def _new(self) -> None:
        self.state.turns = []
        self.terminal.line("new conversation", "dim")


def run_chat(chat: Chat, lines: Iterable[str] | None = None, history_file: Path | None = None) -> None:
    """Answer `lines` (stdin read without a prompt), or prompt at the terminal until /quit or Ctrl-D."""
    if lines is not None:
        for line in lines:
            if not chat.handle(line):
                return
        return
    chat.terminal.line("newsdesk chat: ask about the indexed articles; /help for commands, /quit to end.", "dim")
    with _LineHistory(history_file):
        while True:
            try:
                line = input("> ")
            except EOFError:
                chat.terminal.line()
                return
            except KeyboardInterrupt:
                chat.terminal.line()
                continue
            if not chat.handle(line):
                return


class _LineHistory:
    """Arrow keys recall earlier lines, kept in `file` between chats (where readline exists)."""

    def __init__(self, file: Path | None) -> None:
        self.file = file

    def __enter__(self) -> None:
        try:
            import readline
        except ImportError:  # Windows without pyreadline: no recall, the chat still works
            self.readline = None
            return
        self.readline = readline
        if self.file and self.file.exists():
            try:
                readline.read_history_file(self.file)
            except OSError as error:
                log.warning("could not read the chat history %s: %s", self.file, error)

    def __exit__(self, *exc: object) -> None:
        if self.readline is None or self.file is None:
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            self.readline.set_history_length(HISTORY_LINES)
            self.readline.write_history_file(self.file)
        except OSError as error:
            log.warning("could not keep the chat history in %s: %s", self.file, error)
