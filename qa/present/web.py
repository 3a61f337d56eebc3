"""The web app: a Gradio page (chat with streamed answers, sources panel, examples, article upload) and a
JSON endpoint, `POST /api/ask`, served together by one FastAPI app.

Thin by design: questions go to `qa.Assistant`, rendering to `qa.present.render`; no retrieval logic lives here.
Questions are answered in parallel (NEWSDESK_CONCURRENCY); uploads are indexed in the background.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from pydantic import BaseModel, Field

from qa.assistant import Assistant
from qa.errors import InvalidQuestion
from qa.ingest.rejects import rejected_files
from qa.present import render
from qa.present.auth import ClientAddressMiddleware, LoginGuard, parse_auth
from qa.present.client_paths import upload_folder, within
from qa.present.login_page import HideApiInfoMiddleware
from qa.present.upload_guard import UploadGuardMiddleware
from qa.settings import Settings
from qa.types import Answer

UPLOAD_TYPES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl"]
CSS = """
.source-card {border: 1px solid #d0d7de; border-radius: 8px; padding: 10px 12px; margin-bottom: 10px;}
.source-card:target {outline: 3px solid #f2c94c;}
.source-title {font-weight: 600;} .source-number {color: #3b6ea5; font-weight: 700;}
.source-meta {color: #57606a; font-size: 0.85em; margin: 2px 0 6px;}
.source-passage mark {background: #fff3a3; padding: 0 2px;}
.refusal {background: #fdf2f2; border-left: 4px solid #d64545; padding: 8px 12px; margin-bottom: 10px;}
.related-passage {opacity: 0.8; margin: 8px 0;}
"""


def build_demo(assistant: Assistant) -> gr.Blocks:
    """The page: header, chat with example questions, sources panel, and article upload."""
    settings = assistant.settings

    def turn(chat: list, answers: list, shown: str, placeholder: str, work: Callable[[], Answer], remember: bool):
        """One chat exchange: what was asked, a placeholder, the answer streamed in, then its sources."""
        chat = [*chat, {"role": "user", "content": shown}]
        yield chat + [{"role": "assistant", "content": placeholder}], gr.skip(), "", answers
        try:
            answer = work()
        except InvalidQuestion as error:
            yield chat + [{"role": "assistant", "content": str(error)}], gr.skip(), "", answers
            return
        text = render.answer_markdown(answer)
        for piece in render.stream_pieces(text):
            yield chat + [{"role": "assistant", "content": piece}], gr.skip(), "", answers
        kept = [*answers, answer] if remember else answers
        yield chat + [{"role": "assistant", "content": text}], render.sources_html(answer), "", kept

    def respond(message: str, chat: list, answers: list, since: str, until: str, outlets: list | None):
        def work() -> Answer:
            return assistant.run(message, history=answers, since=since, until=until, sources=outlets)

        yield from turn(chat, answers, message, "Searching the articles…", work, remember=True)

    def show_timeline(message: str, chat: list, answers: list, since: str, until: str, outlets: list | None):
        if not (message or "").strip():
            yield chat, gr.skip(), message, answers
            return

        def work() -> Answer:
            return assistant.timeline(message, since=since, until=until, sources=outlets)

        yield from turn(chat, answers, f"Timeline: {message}", "Gathering the reports…", work, remember=False)

    def answer_api(question: str, history: list | None = None) -> dict:
        """Answer a question: the answer text with [n] markers, its citations and retrieved passages as JSON."""
        try:
            return assistant.run(question, history=history).to_dict()
        except InvalidQuestion as error:
            raise gr.Error(str(error), print_exception=False) from None

    def add_articles(files: list | None):
        if not files:
            yield "Choose one or more article files first.", gr.skip(), gr.skip()
            return
        paths = [Path(getattr(f, "name", f)) for f in files]
        foreign = [path.name for path in paths if not within(path, upload_folder())]
        if foreign:
            yield f"Refused: {', '.join(foreign)} not uploaded to this server. Nothing was added.", gr.skip(), gr.skip()
            return
        try:
            job = assistant.add_async(paths)
        finally:
            for path in paths:  # copied into the corpus or refused: the uploaded copy is not kept
                path.unlink(missing_ok=True)
        while not job.finished.wait(0.5):
            yield render.job_markdown(job), gr.skip(), gr.skip()
        status = render.upload_markdown(job.report) if job.report else render.job_markdown(job)
        yield status, render.header_markdown(assistant.info()), _rejected()

    def _rejected() -> str:
        if settings.auth:  # a shared server: one visitor does not see the names of others' files
            return ""
        return render.rejected_markdown(rejected_files(settings.rejected_folder))

    # uploads never added are deleted after an hour, checked every ten minutes (Gradio's own cleanup)
    with gr.Blocks(title="newsdesk", delete_cache=(600, 3600)) as demo:
        header = gr.Markdown(render.header_markdown(assistant.info()), elem_id="header")
        answers = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(elem_id="chatbot", label="Chat", height=520, sanitize_html=True)
                question = gr.Textbox(
                    elem_id="question",
                    placeholder="Ask the articles a question…",
                    show_label=False,
                    submit_btn=True,
                    max_length=settings.max_question_chars,
                )
                with gr.Accordion("Filters", open=False, elem_id="filters"):
                    with gr.Row():
                        since = gr.Textbox(label="Published since", placeholder="2024-01-31", elem_id="since")
                        until = gr.Textbox(label="Published until", placeholder="2024-02-29", elem_id="until")
                    outlets = gr.Dropdown(
                        choices=_sources(assistant),
                        multiselect=True,
                        label="Sources (all when empty)",
                        elem_id="outlets",
                    )
                timeline = gr.Button("Timeline of this topic", elem_id="timeline-button", size="sm")
                gr.Examples(_examples(assistant), inputs=question, label="Try")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(render.sources_html_empty(), elem_id="sources")
        with gr.Accordion("Add articles", open=False, elem_id="add-articles"):
            gr.Markdown(
                f"Up to {settings.max_upload_files} files of at most {settings.max_upload_mb} MB each "
                f"({', '.join(UPLOAD_TYPES)}). They are indexed in the background."
            )
            files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, elem_id="upload")
            add = gr.Button("Add to the index", elem_id="add-button")
            status = gr.Markdown(elem_id="upload-status")
            rejected = gr.Markdown(_rejected(), elem_id="rejected")
        question.submit(
            respond,
            [question, chatbot, answers, since, until, outlets],
            [chatbot, sources, question, answers],
            api_name="chat",
            concurrency_limit=settings.workers,
        )
        timeline.click(
            show_timeline,
            [question, chatbot, answers, since, until, outlets],
            [chatbot, sources, question, answers],
            api_name="timeline",
            concurrency_limit=settings.workers,
        )
        add.click(add_articles, [files], [status, header, rejected], api_name="add", concurrency_limit=4)
        gr.api(answer_api, api_name="answer", concurrency_limit=settings.workers)
        demo.load(lambda: (render.header_markdown(assistant.info()), _rejected()), None, [header, rejected])
    return demo


class AskRequest(BaseModel):
    """The body of `POST /api/ask`."""

    question: str = Field(description="The question.")
    history: list[dict[str, Any] | list[Any]] | None = Field(
        default=None, description="Earlier turns: chat messages {role, content} or [question, answer] pairs."
    )
    k: int | None = Field(default=None, ge=1, le=50, description="Passages to retrieve.")
    since: str | None = Field(default=None, description="Only articles published on or after this date.")
    until: str | None = Field(default=None, description="Only articles published on or before this date.")
    as_of: str | None = Field(default=None, description="Answer as on this day: nothing published later.")
    sources: list[str] | None = Field(default=None, description="Only articles from these outlets.")

    def filters(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "as_of": self.as_of, "sources": self.sources}


def build_app(assistant: Assistant) -> FastAPI:
    """The Gradio page at `/` and `POST /api/ask` (JSON in, JSON out; 400 or 422 with a message on bad input),
    both behind the same login when NEWSDESK_AUTH is set."""
    settings = assistant.settings
    credentials = parse_auth(settings.auth)
    guard = LoginGuard(*credentials) if credentials else None
    app = FastAPI(title="newsdesk", docs_url=None, redoc_url=None)
    basic = HTTPBasic(auto_error=False)
    answering = threading.BoundedSemaphore(settings.workers)  # questions answered at once; the rest wait in turn

    def require_login(request: Request, given: HTTPBasicCredentials | None = Depends(basic)) -> None:  # noqa: B008
        if guard is None:
            return
        address = request.client.host if request.client else "unknown"
        if given is None or not guard(given.username, given.password, address):
            raise HTTPException(401, "log in with the NEWSDESK_AUTH user and password", {"WWW-Authenticate": "Basic"})

    def answered(work: Callable[[], Answer]) -> dict:
        """Run `work` in turn with the other questions; a bad question is a 400 with its message."""
        try:
            with answering:
                return work().to_dict()
        except InvalidQuestion as error:
            raise HTTPException(400, str(error)) from None

    @app.post("/api/ask", dependencies=[Depends(require_login)])
    def ask_endpoint(request: AskRequest) -> dict:
        return answered(
            lambda: assistant.run(request.question, history=request.history, k=request.k, **request.filters())
        )

    @app.post("/api/timeline", dependencies=[Depends(require_login)])
    def timeline_endpoint(request: AskRequest) -> dict:
        return answered(lambda: assistant.timeline(request.question, **request.filters()))

    demo = build_demo(assistant)
    demo.queue(default_concurrency_limit=settings.workers)
    app = gr.mount_gradio_app(
        app,
        demo,
        path="/",
        auth=guard,
        max_file_size=f"{settings.max_upload_mb}mb",
        css=CSS,
        footer_links=["api"],
        show_error=True,
    )
    # Gradio checks that a file a client names was uploaded to this server only once its app "has launched",
    # which a mounted app never does by itself (gradio.processing_utils._check_allowed): without this, any
    # logged-in client could have the server copy, serve and index any file it can read.
    demo.has_launched = True
    app.add_middleware(ClientAddressMiddleware)
    app.add_middleware(HideApiInfoMiddleware)
    app.add_middleware(
        UploadGuardMiddleware,
        folder=upload_folder,
        max_files=settings.max_upload_files,
        max_stored_bytes=settings.max_stored_upload_mb * 2**20,
    )
    return app


def _sources(assistant: Assistant) -> list[str]:
    """The outlets the indexed articles name, for the source picker."""
    assistant.warm_up()
    return assistant.index.sources()


def _examples(assistant: Assistant) -> list[str]:
    """Questions about what the indexed articles name, made from their headlines."""
    assistant.warm_up()
    return render.example_questions(assistant.index.recent_documents(4))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the newsdesk chat UI.")
    parser.add_argument("--host", help="address to serve on (NEWSDESK_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (NEWSDESK_PORT, default 7860)")
    parser.add_argument("--index-dir", type=Path, help="index folder (NEWSDESK_INDEX_DIR)")
    parser.add_argument("--corpus-dir", type=Path, help="corpus folder (NEWSDESK_CORPUS_DIR)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(host=args.host, port=args.port, index_dir=args.index_dir, corpus_dir=args.corpus_dir)
    parse_auth(settings.auth)  # a malformed login stops start-up before any work
    assistant = Assistant(settings)
    assistant.warm_up()
    if assistant.catch_up():
        print("newsdesk: the corpus changed since the index was built; updating it in the background")
    app = build_app(assistant)
    import uvicorn

    started = time.strftime("%H:%M:%S")
    print(
        f"newsdesk {started}: serving {assistant.info()['documents']} articles on http://{settings.host}:{settings.port}/"
    )
    proxied = bool(settings.forwarded_allow_ips)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        proxy_headers=proxied,
        forwarded_allow_ips=settings.forwarded_allow_ips if proxied else None,
    )
