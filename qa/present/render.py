"""Render answers for the web page: Markdown for the chat, HTML source cards. Article text is untrusted,
so everything taken from documents is escaped before it reaches the page."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from qa.answer.citations import MARKER
from qa.filters import NOTHING_MATCHES
from qa.index.build_report import BuildReport
from qa.index.jobs import Job
from qa.ingest.rejects import Rejected
from qa.types import Answer, Citation, Document, Passage

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def answer_markdown(answer: Answer) -> str:
    """The chat message: markers become links to their source cards; document text cannot inject markup."""
    body = html.escape(answer.text, quote=False)
    body = _escape_markdown_except_bold(body)
    body = MARKER.sub(lambda m: f"[[{m.group(1)}]](#src-{m.group(1)})", body)
    if answer.dates_read:
        body = f"*Read {_plain(answer.dates_read)}*\n\n{body}"
    if answer.resolved_question:
        body = f"*Understood as: {_plain(answer.resolved_question)}*\n\n{body}"
    return body


def sources_html(answer: Answer) -> str:
    """One card per citation (title, date, source, passage with the supporting sentence highlighted);
    related passages collapsed below, or as the only content when the answer was refused."""
    parts = []
    if not answer.answered:
        why = "None of the indexed articles answers this question."
        if (answer.refusal_reason or "").startswith(NOTHING_MATCHES):
            why = html.escape(answer.refusal_reason[0].upper() + answer.refusal_reason[1:]) + "."
        parts.append(f'<div class="refusal" id="refusal"><strong>The articles don\'t say.</strong> {why}</div>')
    for citation in answer.citations:
        offset = citation.sentence_start - citation.passage_start
        before = citation.passage[:offset]
        after = citation.passage[offset + len(citation.sentence) :]
        dated = (
            f'<span title="date from {html.escape(citation.date_from or "the article", quote=True)}">'
            f"{html.escape(citation.date)}</span>"
            if citation.date
            else ""
        )
        meta = " · ".join(part for part in (dated, html.escape(citation.source or "")) if part)
        link = f' · <a href="{html.escape(citation.url)}" rel="noopener">link</a>' if _is_web(citation.url) else ""
        parts.append(
            f'<div class="source-card" id="src-{citation.number}">'
            f'<div class="source-head"><span class="source-number">[{citation.number}]</span> '
            f'<span class="source-title">{html.escape(citation.title)}</span></div>'
            f'<div class="source-meta">{meta}{link}</div>'
            f'<p class="source-passage">{html.escape(before)}<mark>{_with_answer(citation)}</mark>'
            f"{html.escape(after)}</p></div>"
        )
    related = answer.related if not answer.answered else answer.related or answer.passages
    shown = {c.doc_id + str(c.passage_start) for c in answer.citations}
    extra = [p for p in related if p.document.id + str(p.chunk.start) not in shown]
    if extra:
        items = "".join(_related(p) for p in extra)
        opened = " open" if not answer.answered else ""
        parts.append(
            f'<details class="related"{opened}><summary>Related passages ({len(extra)}), not sources'
            f"</summary>{items}</details>"
        )
    question = html.escape(answer.question, quote=True)
    return f'<div class="sources" data-question="{question}">' + "\n".join(parts) + "</div>"


def _with_answer(citation: Citation) -> str:
    """The quoted sentence, escaped, with the answer span inside it in bold."""
    if citation.answer_start is None or citation.answer_end is None:
        return html.escape(citation.sentence)
    a, b = citation.answer_start - citation.sentence_start, citation.answer_end - citation.sentence_start
    text = citation.sentence
    return f"{html.escape(text[:a])}<strong>{html.escape(text[a:b])}</strong>{html.escape(text[b:])}"


def _is_web(url: str | None) -> bool:
    """Only http(s) addresses become links: a javascript: or data: URL in an article's metadata stays text."""
    return bool(url) and url.strip().lower().startswith(("http://", "https://"))


def sources_html_empty() -> str:
    return '<div class="empty">Ask a question: the passages that support the answer appear here.</div>'


def header_markdown(info: dict) -> str:
    age = _age(info.get("age_seconds", 0.0))
    return (
        f"# newsdesk\nAsk the news articles. **{info['documents']} articles**, {info['chunks']} passages "
        f"indexed {age} ago · model {info['model']}"
    )


def upload_markdown(report: BuildReport) -> str:
    """What an upload did: files added, articles and passages indexed, and each file skipped with why."""
    lines = [
        f"Added {len(report.stored)} file(s): {report.added} new article(s), "
        f"{report.embedded_chunks} passage(s) embedded in {report.seconds:.2f}s; "
        f"the index now holds {report.documents} articles."
    ]
    lines += [f"- skipped **{_plain(Path(p.path).name)}**: {_plain(p.reason)}" for p in report.problems]
    lines += [
        f"- {_plain(Path(copy).name)} repeats an article already indexed: kept once" for copy in report.duplicates
    ]
    return "\n".join(lines)


def job_markdown(job: Job) -> str:
    """Where a queued upload is, while questions go on being answered."""
    if job.state == "queued":
        return "Queued: another upload is being indexed first. Questions are answered meanwhile."
    if job.state == "failed":
        return f"Indexing failed: {_plain(job.error)}. The index in use is unchanged."
    if job.total:
        return f"Indexing: {_plain(job.stage)} {job.done:,}/{job.total:,}. Questions are answered meanwhile."
    return "Indexing: reading the new articles. Questions are answered meanwhile."


def rejected_markdown(rejected: list[Rejected]) -> str:
    """The corpus files moved aside because they could not be read, each with its reason."""
    if not rejected:
        return ""
    lines = [f"**Files set aside ({len(rejected)})**, not indexed:"]
    lines += [f"- {_plain(r.name)}: {_plain(r.reason)}" for r in rejected[:20]]
    return "\n".join(lines)


def stream_pieces(text: str, words: int = 4) -> Iterator[str]:
    """The text in growing prefixes, a few words at a time, for a streaming chat message."""
    tokens = re.split(r"(\s+)", text)
    for end in range(0, len(tokens), words * 2):
        yield "".join(tokens[: end + words * 2])


def example_questions(documents: list[Document], limit: int = 4) -> list[str]:
    """Starter questions for the chat, one per recent article, about a name its headline gives (spaCy's
    entities): what happened at a place, what a person or organisation said."""
    from qa.language import entities_of

    recent = sorted(documents, key=lambda doc: doc.date or "", reverse=True)[:limit]
    questions = []
    for doc, parsed in zip(recent, entities_of([doc.title for doc in recent]), strict=True):
        names = {ent.label_: ent.text for ent in reversed(parsed.ents)}
        places = {ent.label_: _as_named(ent) for ent in reversed(parsed.ents)}
        if "GPE" in names or "LOC" in names or "FAC" in names:
            place = places.get("GPE") or places.get("LOC") or places["FAC"]
            questions.append(f"What happened in {place}?")
        elif "PERSON" in names or "ORG" in names:
            questions.append(f"What did {names.get('PERSON') or names['ORG']} say?")
        else:
            questions.append(f"What do the articles say about “{doc.title}”?")
    return list(dict.fromkeys(questions))


def _as_named(entity) -> str:
    """A place as a sentence names it: with "the" where the headline gives it one ("the Gulf") or where it
    is an abbreviation ("the US", "the UAE"), as English writes abbreviated country names."""
    before = entity.doc[entity.start - 1].lower_ if entity.start > 0 else ""
    if before == "the" or (entity.text.isupper() and len(entity.text) <= 4):
        return f"the {entity.text}"
    return entity.text


def _related(passage: Passage) -> str:
    doc = passage.document
    meta = " · ".join(html.escape(part) for part in (doc.date, doc.source) if part)
    return (
        f'<div class="related-passage"><div class="source-title">{html.escape(doc.title)}</div>'
        f'<div class="source-meta">{meta}</div><p>{html.escape(passage.text)}</p></div>'
    )


def _escape_markdown_except_bold(text: str) -> str:
    pieces = re.split(r"(\*\*[^*]+\*\*|\[\d+\])", text)
    out = []
    for piece in pieces:
        if re.fullmatch(r"\*\*[^*]+\*\*", piece):
            out.append("**" + _MARKDOWN_SPECIAL.sub(r"\\\1", piece[2:-2]) + "**")
        elif re.fullmatch(r"\[\d+\]", piece):
            out.append(piece)
        else:
            out.append(_MARKDOWN_SPECIAL.sub(r"\\\1", piece).replace("\n\\- ", "\n- "))
    return "".join(out)


def _plain(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _age(seconds: float) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n > 1 else ''}"
    return "moments"
