"""The typed records that flow through newsdesk: documents, chunks, passages, citations, answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    """One cleaned article: `text` is the body every offset points into."""

    id: str
    text: str
    title: str
    date: str | None = None
    source: str | None = None
    url: str | None = None
    path: str = ""
    date_from: str | None = None  # where the date was found: metadata, a dateline or caption, the URL...
    source_from: str | None = None  # where the outlet was found: metadata, the dateline, the byline...
    author: str | None = None
    author_from: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one document; `text == document.text[start:end]`."""

    doc_id: str
    start: int
    end: int
    text: str
    sentences: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict:
        return {**asdict(self), "sentences": [list(span) for span in self.sentences]}

    @classmethod
    def from_dict(cls, data: dict) -> Chunk:
        return cls(
            doc_id=data["doc_id"],
            start=data["start"],
            end=data["end"],
            text=data["text"],
            sentences=tuple(tuple(span) for span in data.get("sentences", ())),
        )


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the document it came from and how well it matched."""

    chunk: Chunk
    document: Document
    score: float
    dense_score: float = 0.0
    keyword_score: float = 0.0

    @property
    def text(self) -> str:
        return self.chunk.text


@dataclass(frozen=True)
class Citation:
    """What an inline marker `[number]` points to: a passage and the exact sentence that supports the claim."""

    number: int
    doc_id: str
    title: str
    date: str | None
    source: str | None
    url: str | None
    passage: str
    passage_start: int
    sentence: str
    sentence_start: int
    sentence_end: int
    score: float
    answer_start: int | None = None  # the answer span inside the sentence, in document offsets
    answer_end: int | None = None
    date_from: str | None = None  # where the article's date was found
    author: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    """The reply to one question.

    `text` carries inline markers [1], [2] that point into `citations`; `short_answer` is the bare
    extracted answer (None when the answer is a sentence); `answered` is False when the articles do not
    hold the answer, and then `related` lists the closest passages, which are not citations.
    `confidence` is how likely the answer's reading answers the question (the refusal model's probability,
    0 to 1), the figure refusal compares with `min_answer_confidence`; `refusal_reason` says what refused.
    """

    question: str
    text: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    related: list[Passage] = field(default_factory=list)
    short_answer: str | None = None
    answer_type: str = "sentence"
    resolved_question: str | None = None
    confidence: float = 0.0
    refusal_reason: str | None = None
    dates_read: str | None = None  # the publication range a time in the question narrowed the search to
    timings: dict[str, float] = field(default_factory=dict)
    phrasing: str = "off"

    def __str__(self) -> str:
        lines = [self.text]
        for citation in self.citations:
            meta = ", ".join(part for part in (citation.source, citation.date) if part)
            lines.append(f"[{citation.number}] {citation.title}" + (f" ({meta})" if meta else ""))
            lines.append(f"    “{citation.sentence}”")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """A JSON-ready view, for the CLI's --json and the web API."""
        return {
            "question": self.question,
            "resolved_question": self.resolved_question,
            "answered": self.answered,
            "text": self.text,
            "short_answer": self.short_answer,
            "answer_type": self.answer_type,
            "confidence": round(self.confidence, 4),
            "refusal_reason": self.refusal_reason,
            "phrasing": self.phrasing,
            "citations": [citation.to_dict() for citation in self.citations],
            "passages": [_passage_dict(passage) for passage in self.passages],
            "related": [_passage_dict(passage) for passage in self.related],
            "timings": {name: round(value, 4) for name, value in self.timings.items()},
        }


def _passage_dict(passage: Passage) -> dict:
    doc = passage.document
    return {
        "doc_id": doc.id,
        "title": doc.title,
        "date": doc.date,
        "source": doc.source,
        "url": doc.url,
        "text": passage.text,
        "start": passage.chunk.start,
        "end": passage.chunk.end,
        "score": round(passage.score, 4),
    }
