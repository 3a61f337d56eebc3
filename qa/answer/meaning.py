"""Word meanings for choosing the windows the reader reads: static word-piece vectors distilled once from
the embedding model (each word piece read alone through it, as model2vec distils one), so that "killed"
finds "death of 16 people" without a synonym list, at a cost of microseconds per window."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from qa.normalise import fold_apostrophes

log = logging.getLogger(__name__)

VERSION = 1  # bump when the distillation changes, so cached vectors are rebuilt
UNRELATED_SHARE = 0.99  # a similarity counts once it beats this share of similarities between unrelated words
_WORD = re.compile(r"\w+")


class WordVectors:
    """Vectors for words; `warm_up()` loads them from the cache folder (distilling them on first use)."""

    def __init__(self, cache: Path) -> None:
        self.cache = Path(cache)
        self._pieces: np.ndarray | None = None
        self._tokenizer = None
        self._words: dict[str, np.ndarray] = {}
        self.floor = 1.0  # the similarity unrelated words stay under (set by warm_up)
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._pieces is not None:
                return
            from qa.index.encoder import model_path
            from qa.pieces import WordPieces
            from qa.runtime import cache_key

            weights = Path(model_path()) / "model.safetensors"
            target = self.cache / f"word-vectors-{cache_key(weights)}-v{VERSION}.npy"
            self._pieces, self.floor = _load_or_distil(target, model_path())
            self._tokenizer = WordPieces(model_path())

    def of(self, words: Iterable[str]) -> np.ndarray:
        """One normalised vector per word (the mean of its word pieces' vectors), rows in the order given."""
        self.warm_up()
        words = list(words)
        new = [word for word in dict.fromkeys(words) if word not in self._words]
        if new:
            if len(self._words) > 200_000:  # bounded: a long-running server reads many words
                self._words.clear()
            for word, ids in zip(new, self._tokenizer.ids(new), strict=True):
                vector = self._pieces[ids].astype(np.float32).mean(0) if ids else np.zeros(1)
                norm = float(np.linalg.norm(vector))
                self._words[word] = vector / norm if norm > 0 else np.zeros(self._pieces.shape[1], np.float32)
        if not words:
            return np.zeros((0, self._pieces.shape[1]), np.float32)
        return np.stack([self._words[word] for word in words])

    def coverage(self, asked: dict[str, str], texts: list[str], exact: list[frozenset[str]]) -> list[float]:
        """For each text: how many of the question's words (`asked`, word to stem) it covers. A word counts 1
        when its stem is among the text's `exact` stems, else by how far its nearest word in the text beats
        `floor`, from 0 (no nearer than unrelated words) to 1 (the same meaning)."""
        if not asked:
            return [0.0] * len(texts)
        words_of = [list({word.lower() for word in _WORD.findall(fold_apostrophes(text))}) for text in texts]
        vocabulary = list(dict.fromkeys(word for words in words_of for word in words))
        if not vocabulary:
            return [0.0] * len(texts)
        column = {word: i for i, word in enumerate(vocabulary)}
        similarity = self.of(asked) @ self.of(vocabulary).T  # question words x every word of the texts
        soft = np.clip((similarity - self.floor) / (1.0 - self.floor), 0.0, 1.0)
        stems = list(asked.values())
        scores = []
        for words, matched in zip(words_of, exact, strict=True):
            if not words:
                scores.append(0.0)
                continue
            nearest = soft[:, [column[word] for word in words]].max(axis=1)
            scores.append(
                sum(1.0 if stem in matched else float(value) for stem, value in zip(stems, nearest, strict=True))
            )
        return scores


def _load_or_distil(target: Path, model: str) -> tuple[np.ndarray, float]:
    from filelock import FileLock

    from qa.runtime import write_atomically

    meta = target.with_suffix(".json")
    if not (target.exists() and meta.exists()):
        target.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(target) + ".lock"):
            if not (target.exists() and meta.exists()):
                log.info("distilling word vectors from %s into %s (once)", model, target)
                pieces = distil(model)
                write_atomically(target, lambda path: np.save(path, pieces))
                floor = unrelated_floor(pieces)
                write_atomically(meta, lambda path: path.write_text(json.dumps({"floor": floor})))
    return np.load(target, allow_pickle=False), float(json.loads(meta.read_text())["floor"])


def distil(model: str, batch: int = 1024) -> np.ndarray:
    """Every word piece read alone ([CLS] piece [SEP]) through the model, mean-pooled as sentence-transformers
    pools, centred on the vocabulary's mean and normalised: float16, one row per piece."""
    import torch
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(model).eval()
    size = encoder.config.vocab_size
    vectors = np.zeros((size, encoder.config.hidden_size), np.float32)
    cls, sep = 101, 102  # BERT's special pieces, which the MiniLM vocabulary keeps
    with torch.inference_mode():
        for start in range(0, size, batch):
            ids = torch.arange(start, min(size, start + batch))
            inputs = torch.stack([torch.full_like(ids, cls), ids, torch.full_like(ids, sep)], 1)
            hidden = encoder(input_ids=inputs, attention_mask=torch.ones_like(inputs)).last_hidden_state
            vectors[start : start + len(ids)] = hidden.mean(1).numpy()
    vectors -= vectors.mean(0)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors.astype(np.float16)


def unrelated_floor(pieces: np.ndarray, pairs: int = 200_000, seed: int = 0) -> float:
    """The similarity that UNRELATED_SHARE of random pairs of word pieces stay under."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(1000, len(pieces), pairs), rng.integers(1000, len(pieces), pairs)  # skip special pieces
    similarity = (pieces[a].astype(np.float32) * pieces[b].astype(np.float32)).sum(1)
    return float(np.quantile(similarity, UNRELATED_SHARE))
