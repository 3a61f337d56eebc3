"""Split documents into overlapping runs of whole sentences that the embedding model reads in full."""

from __future__ import annotations

from collections.abc import Callable

from qa.language import sentence_spans
from qa.types import Chunk, Document

TokenCounter = Callable[[list[str]], list[int]]


class Chunker:
    """Packs sentences into chunks of at most `max_tokens` word pieces (title included)."""

    def __init__(self, count_tokens: TokenCounter, max_tokens: int, overlap: int, model_limit: int) -> None:
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.overlap = overlap
        self.model_limit = model_limit

    def run(self, document: Document) -> list[Chunk]:
        text = document.text
        title_tokens = self.count_tokens([embedding_prefix(document)])[0]
        budget = max(16, min(self.max_tokens, self.model_limit - title_tokens))
        spans, sizes = _fit(sentence_spans(text), text, self.count_tokens, budget)
        chunks, first = [], 0
        while first < len(spans):
            last, used = first, sizes[first]
            while last + 1 < len(spans) and used + sizes[last + 1] + 1 <= budget:
                last += 1
                used += sizes[last] + 1
            start, end = spans[first][0], spans[last][1]
            chunks.append(Chunk(document.id, start, end, text[start:end], tuple(spans[first : last + 1])))
            if last + 1 >= len(spans):
                break
            first = max(first + 1, last + 1 - self.overlap)
        return chunks


def embedding_prefix(document: Document) -> str:
    """What precedes each chunk's text when it is embedded: the headline gives it context."""
    return f"{document.title}." if document.title else ""


def embedding_text(document: Document, chunk: Chunk) -> str:
    return f"{embedding_prefix(document)} {chunk.text}".strip()


def boundary_problems(document: Document, chunks: list[Chunk]) -> list[str]:
    """Every way the chunks break the quoting contract: a sentence or chunk that is not its exact slice of
    the document, or that starts or ends inside a word (boundaries fall on whitespace or the text's ends)."""
    text, problems = document.text, []

    def check(kind: str, start: int, end: int, quoted: str | None = None) -> None:
        if quoted is not None and text[start:end] != quoted:
            problems.append(f"{document.path or document.id}: {kind} {start}-{end} differs from the text")
        if not (0 <= start < end <= len(text)):
            problems.append(f"{document.path or document.id}: {kind} {start}-{end} is out of range")
        elif (start > 0 and not text[start - 1].isspace()) or (end < len(text) and not text[end].isspace()):
            problems.append(f"{document.path or document.id}: {kind} cut inside a word: {text[start:end][:60]!r}")

    for chunk in chunks:
        check("chunk", chunk.start, chunk.end, chunk.text)
        for start, end in chunk.sentences:
            check("sentence", start, end)
            if not chunk.start <= start < end <= chunk.end:
                problems.append(f"{document.path or document.id}: sentence {start}-{end} outside its chunk")
    return problems


def _fit(
    spans: list[tuple[int, int]], text: str, count: TokenCounter, budget: int
) -> tuple[list[tuple[int, int]], list[int]]:
    """Cut any sentence longer than the budget into word runs that fit, keeping exact offsets; returns the
    spans and their sizes in word pieces (each sentence is counted once)."""
    sizes = count([text[a:b] for a, b in spans])
    fitted: list[tuple[int, int]] = []
    fitted_sizes: list[int | None] = []  # None: a piece of a long sentence, counted below
    for (start, end), size in zip(spans, sizes, strict=True):
        if size <= budget:
            fitted.append((start, end))
            fitted_sizes.append(size)
            continue
        words = [(m.start() + start, m.end() + start) for m in _words(text[start:end])]
        piece_start = words[0][0]
        piece_words: list[tuple[int, int]] = []
        for word in words:
            candidate = text[piece_start : word[1]]
            if piece_words and count([candidate])[0] > budget:
                fitted.append((piece_start, piece_words[-1][1]))
                fitted_sizes.append(None)
                piece_start, piece_words = word[0], []
            piece_words.append(word)
        fitted.append((piece_start, piece_words[-1][1]))
        fitted_sizes.append(None)
    pieces = [i for i, size in enumerate(fitted_sizes) if size is None]
    for i, size in zip(pieces, count([text[slice(*fitted[i])] for i in pieces]) if pieces else [], strict=True):
        fitted_sizes[i] = size
    return fitted, [size or 0 for size in fitted_sizes]  # every piece was counted above


def _words(text: str):
    import re

    return re.finditer(r"\S+", text)
