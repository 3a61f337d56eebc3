"""`from qa import ask`: one question, answered by a shared Assistant per index folder."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from qa.assistant import Assistant
from qa.settings import Settings
from qa.types import Answer

_defaults: dict[str, Assistant] = {}
_defaults_lock = threading.Lock()


def default_assistant(index: str | Path | None = None) -> Assistant:
    """One shared Assistant per index folder, so repeated questions pay no start-up cost."""
    settings = Settings.from_env(index_dir=Path(index) if index else None)
    key = str(Path(settings.index_dir).resolve())
    with _defaults_lock:
        if key not in _defaults:
            _defaults[key] = Assistant(settings)
        return _defaults[key]


def ask(
    question: str,
    *,
    history: object = None,
    k: int = 5,
    index: str | Path | Assistant | None = None,
    since: str | date | None = None,
    until: str | date | None = None,
    as_of: str | date | None = None,
    sources: list[str] | None = None,
) -> Answer:
    """Answer a question from the articles; `index` is an index folder (default: the settings') or an Assistant.
    `since`, `until` and `as_of` take dates ("2024-02-03"), `sources` outlet names; all optional."""
    assistant = index if isinstance(index, Assistant) else default_assistant(index)
    return assistant.run(question, history=history, k=k, since=since, until=until, as_of=as_of, sources=sources)
