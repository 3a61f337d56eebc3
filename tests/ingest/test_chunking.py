from pathlib import Path

import pytest
from conftest import CORPUS, SHARED

from qa.ingest.chunking import Chunker, boundary_problems, embedding_text
from qa.ingest.cleaning import clean_articles
from qa.ingest.loaders import load_corpus
from qa.language import rejoin_split_words
from qa.types import Document


def test_chunk_offsets_point_exactly_into_the_document(assistant):
    index = assistant.index
    assert index.chunks
    for chunk in index.chunks:
        doc = index.documents[chunk.doc_id]
        assert doc.text[chunk.start : chunk.end] == chunk.text
        for start, end in chunk.sentences:
            assert chunk.start <= start < end <= chunk.end


def test_no_chunk_is_truncated_by_the_model(encoder):
    docs = clean_articles(load_corpus(CORPUS)[0])
    long_sentence = "word " * 400 + "end."
    docs.append(Document(id="long", text=long_sentence + "\n\n" + docs[0].text, title="A long one"))
    chunker = Chunker(encoder.count_tokens, 200, 1, encoder.max_tokens)
    for doc in docs:
        chunks = chunker.run(doc)
        texts = [embedding_text(doc, c) for c in chunks]
        assert max(encoder.count_tokens(texts)) <= encoder.max_tokens
        assert all(doc.text[c.start : c.end] == c.text for c in chunks)


def test_chunks_overlap_by_whole_sentences(encoder):
    doc = clean_articles(load_corpus(CORPUS)[0])[0]
    chunks = Chunker(encoder.count_tokens, 120, 1, encoder.max_tokens).run(doc)
    assert len(chunks) > 2
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.sentences[0] == before.sentences[-1]


def _documents(name: str, tmp_path: Path) -> list[Document]:
    if name == "shipped":
        return clean_articles(load_corpus(CORPUS)[0])
    corpus = SHARED / "evaldata" / name / "corpus.jsonl"
    if not corpus.exists():
        pytest.skip(f"{corpus} is not here (it sits beside the repository in development and CI)")
    lines = corpus.read_text("utf-8").splitlines()
    step = max(1, len(lines) // 300)
    sample = tmp_path / f"{name}.jsonl"
    sample.write_text("\n".join(lines[::step][:300]), "utf-8")
    return clean_articles(load_corpus(sample)[0])


@pytest.mark.parametrize("name", ["shipped", "squad11", "realtimeqa"])
def test_every_sentence_and_chunk_is_an_exact_slice_on_word_boundaries(encoder, name, tmp_path):
    documents = _documents(name, tmp_path)
    assert documents
    chunker = Chunker(encoder.count_tokens, 200, 1, encoder.max_tokens)
    problems = [problem for doc in documents for problem in boundary_problems(doc, chunker.run(doc))]
    assert problems == []


def test_a_split_inside_a_word_is_rejoined():
    text = "Nothing happened.\n\nAnti-US sentiment ran high [Prime Minister X] said. Two days later it fell."
    cut = text.index("-US")
    bracket = text.index("Prime")
    spans = [(0, 17), (19, cut), (cut, bracket), (bracket, text.index(" Two")), (text.index("Two"), len(text))]
    joined = rejoin_split_words(text, spans)
    assert [text[a:b] for a, b in joined] == [
        "Nothing happened.",
        "Anti-US sentiment ran high [Prime Minister X] said.",
        "Two days later it fell.",
    ]
