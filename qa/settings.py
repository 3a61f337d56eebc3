"""Every tunable default in one place, overridable by NEWSDESK_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "NEWSDESK_"
CHUNKER_VERSION = 2  # bump when sentence or chunk boundaries change, so existing indexes are re-chunked


@dataclass(frozen=True)
class Settings:
    """Defaults serve the shipped corpus; each field reads NEWSDESK_<FIELD> from the environment."""

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    model_name: str = "all-MiniLM-L6-v2"
    chunk_tokens: int = 200
    overlap_sentences: int = 1
    batch_size: int = 32
    k: int = 5
    candidates: int = 50
    dense_weight: float = 0.2
    reader_dir: Path = PROJECT_ROOT / "models" / "reader"
    reader_windows: int = 6
    reader_int8: bool = True
    min_answer_margin: float = 0.0
    query_threads: int = 1
    llm: str = "off"
    llm_model: str = ""
    llm_url: str = ""
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = ""

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then environment variables, then explicit keyword overrides."""
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = os.environ.get(ENV_PREFIX + field.name.upper())
            if raw is not None and raw != "":
                values[field.name] = _coerce(raw, type(getattr(cls, field.name)))
        values.update({key: value for key, value in overrides.items() if value is not None})
        for key in ("corpus_dir", "index_dir", "reader_dir"):
            if key in values:
                values[key] = Path(values[key]).expanduser()
        return cls(**values)

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (None values are ignored)."""
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def chunking_signature(self) -> dict[str, object]:
        """What an index must share with these settings to be reused."""
        return {
            "chunker": CHUNKER_VERSION,
            "model": self.model_name,
            "chunk_tokens": self.chunk_tokens,
            "overlap_sentences": self.overlap_sentences,
        }


def _coerce(raw: str, kind: type) -> object:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind in (int, float):
        return kind(raw)
    if kind is str:
        return raw
    return Path(raw)


def settings_table() -> list[tuple[str, str, str]]:
    """(environment variable, default, field) rows for documentation."""
    defaults = Settings()
    return [
        (ENV_PREFIX + field.name.upper(), str(getattr(defaults, field.name)), field.name) for field in fields(Settings)
    ]
