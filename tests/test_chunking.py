from conftest import CORPUS

from qa.chunking import Chunker, embedding_text
from qa.cleaning import clean_articles
from qa.documents import load_corpus
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
