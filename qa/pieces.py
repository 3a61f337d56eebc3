"""Word pieces as the models read them, from a model's own `tokenizer.json` through the Rust `tokenizers`
library alone: question time needs no `transformers` (a second of import) and no torch."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Encoding, Tokenizer


@dataclass(frozen=True)
class Batch:
    """Encoded texts as a model takes them (int64 arrays, padded) with each piece's character offsets and
    which text of a pair it belongs to (0, 1, or None for special pieces)."""

    inputs: dict[str, np.ndarray]
    offsets: list[list[tuple[int, int]]]
    sequence_ids: list[list[int | None]]


class WordPieces:
    """A model's tokenizer, loaded once from its folder."""

    def __init__(self, folder: Path | str) -> None:
        from tokenizers import Tokenizer

        self._plain: Tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self._setup()

    @classmethod
    def of(cls, tokenizer: object) -> WordPieces:
        """The word pieces of a `transformers` fast tokenizer already loaded (training has one)."""
        from tokenizers import Tokenizer

        pieces = cls.__new__(cls)
        pieces._plain = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
        pieces._setup()
        return pieces

    def _setup(self) -> None:
        self._plain.no_padding()
        self._plain.no_truncation()
        self._padded: dict[tuple[int, str], Tokenizer] = {}

    def ids(self, texts: list[str]) -> list[list[int]]:
        """The word-piece ids of each text, special pieces excluded."""
        return [e.ids for e in self._plain.encode_batch(texts, add_special_tokens=False)]

    def count(self, texts: list[str]) -> list[int]:
        """Word pieces in each text, special pieces excluded."""
        return [len(ids) for ids in self.ids(texts)]

    def first(self, text: str, pieces: int) -> str:
        """`text` cut after its first `pieces` word pieces (all of it when it is shorter)."""
        offsets = self._plain.encode(text, add_special_tokens=False).offsets
        return text if len(offsets) <= pieces else text[: offsets[pieces - 1][1]]

    def encode(self, texts: list[str], max_length: int) -> Batch:
        """Each text with special pieces, cut to `max_length`, padded to the longest."""
        return _batch(self._fitted(max_length, "longest_first").encode_batch(texts))

    def encode_pairs(self, firsts: list[str], seconds: list[str], max_length: int) -> Batch:
        """(first, second) pairs cut to `max_length` by shortening the second only, padded to the longest."""
        tokenizer = self._fitted(max_length, "only_second")
        return _batch(tokenizer.encode_batch(list(zip(firsts, seconds, strict=True))))

    def _fitted(self, max_length: int, strategy: str) -> Tokenizer:
        key = (max_length, strategy)
        if key not in self._padded:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_str(self._plain.to_str())
            tokenizer.enable_truncation(max_length, strategy=strategy)
            tokenizer.enable_padding()
            self._padded[key] = tokenizer
        return self._padded[key]


def _batch(encodings: list[Encoding]) -> Batch:
    return Batch(
        inputs={
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        },
        offsets=[list(e.offsets) for e in encodings],
        sequence_ids=[list(e.sequence_ids) for e in encodings],
    )
