"""The Gradio page: chat with streamed answers, a sources panel, example questions and article upload.

Thin by design: questions go to `qa.Assistant`, rendering to `qa.present.render`; no retrieval logic lives here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import gradio as gr

from qa.assistant import Assistant
from qa.errors import InvalidQuestion, SettingInvalid
from qa.present import render
from qa.settings import Settings

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

    def respond(message: str, chat: list, answers: list):
        chat = [*chat, {"role": "user", "content": message}]
        yield chat + [{"role": "assistant", "content": "Searching the articles…"}], gr.skip(), "", answers
        try:
            answer = assistant.run(message, history=answers)
        except InvalidQuestion as error:
            yield chat + [{"role": "assistant", "content": str(error)}], gr.skip(), "", answers
            return
        text = render.answer_markdown(answer)
        for piece in render.stream_pieces(text):
            yield chat + [{"role": "assistant", "content": piece}], gr.skip(), "", answers
        yield chat + [{"role": "assistant", "content": text}], render.sources_html(answer), "", [*answers, answer]

    def answer_api(question: str, history: list | None = None) -> dict:
        """Answer a question: the answer text with [n] markers, its citations and retrieved passages as JSON."""
        try:
            return assistant.run(question, history=history).to_dict()
        except InvalidQuestion as error:
            return {"error": str(error)}

    def add_articles(files: list | None, progress: gr.Progress = gr.Progress(track_tqdm=True)):  # noqa: B008
        if not files:
            return "Choose one or more article files first.", gr.skip()
        progress(0, desc="Reading and indexing the new articles")
        report = assistant.add([Path(getattr(f, "name", f)) for f in files])
        return render.upload_markdown(report), render.header_markdown(assistant.info())

    with gr.Blocks(title="newsdesk") as demo:
        header = gr.Markdown(render.header_markdown(assistant.info()), elem_id="header")
        answers = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(elem_id="chatbot", label="Chat", height=520, sanitize_html=True)
                question = gr.Textbox(
                    elem_id="question", placeholder="Ask the articles a question…", show_label=False, submit_btn=True
                )
                gr.Examples(_examples(assistant), inputs=question, label="Try")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(render.sources_html_empty(), elem_id="sources")
        with gr.Accordion("Add articles", open=False, elem_id="add-articles"):
            files = gr.File(file_count="multiple", file_types=UPLOAD_TYPES, elem_id="upload")
            add = gr.Button("Add to the index", elem_id="add-button")
            status = gr.Markdown(elem_id="upload-status")
        question.submit(respond, [question, chatbot, answers], [chatbot, sources, question, answers], api_name="chat")
        add.click(add_articles, [files], [status, header], api_name="add")
        gr.api(answer_api, api_name="answer")
    return demo


def _examples(assistant: Assistant) -> list[str]:
    """Questions about what the indexed articles name, made from their headlines."""
    assistant.warm_up()
    return render.example_questions(list(assistant.index.documents.values()))


def login(auth: str) -> tuple[str, str] | None:
    """NEWSDESK_AUTH as Gradio's (user, password); empty means no login. A malformed value stops start-up
    rather than silently serving without a login."""
    if not auth:
        return None
    user, colon, password = auth.partition(":")
    if not (colon and user and password):
        raise SettingInvalid("NEWSDESK_AUTH must be user:password (both non-empty); unset it to serve without login")
    return user, password


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the newsdesk chat UI.")
    parser.add_argument("--host", help="address to serve on (NEWSDESK_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (NEWSDESK_PORT, default 7860)")
    parser.add_argument("--index-dir", type=Path, help="index folder (NEWSDESK_INDEX_DIR)")
    parser.add_argument("--corpus-dir", type=Path, help="corpus folder (NEWSDESK_CORPUS_DIR)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(host=args.host, port=args.port, index_dir=args.index_dir, corpus_dir=args.corpus_dir)
    assistant = Assistant(settings)
    assistant.warm_up()
    auth = login(settings.auth)
    build_demo(assistant).launch(
        server_name=settings.host, server_port=settings.port, share=False, auth=auth, css=CSS, footer_links=["api"]
    )
