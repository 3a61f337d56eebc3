"""End to end: the real app on a loopback port, driven in Debian's Chromium with Playwright."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from qa.assistant import Assistant
from qa.settings import PROJECT_ROOT

pytestmark = pytest.mark.browser
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]
HOSTILE_ARTICLE = (
    "Harbour fire destroys fishing fleet in Tromso\nMarch 3, 2025\n"
    "A fire destroyed 14 fishing boats in the harbour of Tromso on Monday, the fire service said.\n"
    "Investigators said <script>window.__pwned = 1</script> a faulty heater "
    '<img src=x onerror="window.__pwned = 2"> started the blaze.\n'
)


HOSTILE_RECORD = {  # test fixture: a record whose url would run script if it became a link
    "title": "Flood washes away bridges in Ruritania",
    "date": "2025-04-02",
    "url": "javascript:window.__pwned = 3",
    "text": "The flood washed away 7 bridges in the south of Ruritania on Tuesday, the roads agency said.",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = "Chromium is not installed: run `apt-get install chromium` (scripts/setup.sh does it as root)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, encoder, corpus_copy_module):
    import threading

    import uvicorn

    from qa.present import web

    work = tmp_path_factory.mktemp("ui")
    assistant = Assistant(encoder=encoder, corpus_dir=corpus_copy_module, index_dir=work / "index")
    assistant.warm_up()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web.build_app(assistant), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def corpus_copy_module(tmp_path_factory):
    from conftest import CORPUS

    target = tmp_path_factory.mktemp("ui-corpus") / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def _ask(page, question: str, timings: dict | None = None) -> None:
    before = page.locator('#chatbot [data-testid="bot"]').count()
    started = time.perf_counter()
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    bot = page.locator('#chatbot [data-testid="bot"]').nth(before)
    bot.wait_for(timeout=30_000)
    page.wait_for_function(
        "n => { const m = document.querySelectorAll('#chatbot [data-testid=\"bot\"]')[n];"
        " return m && !m.innerText.includes('Searching the articles'); }",
        arg=before,
        timeout=30_000,
    )
    first = time.perf_counter()
    page.wait_for_function(
        "q => { const s = document.querySelector('#sources .sources'); return s && s.dataset.question === q; }",
        arg=" ".join(question.split()),
        timeout=30_000,
    )
    if timings is not None:
        timings.setdefault(question, {})
        timings[question] = {
            "first_token_s": round(first - started, 3),
            "full_answer_s": round(time.perf_counter() - started, 3),
        }


def _last_bot(page):
    return page.locator('#chatbot [data-testid="bot"]').last


def test_chat_cites_highlights_follows_up_refuses_and_ingests(browser, app_url):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_url, wait_until="domcontentloaded")
    page.locator("#question textarea").wait_for(timeout=30_000)
    assert "2 articles" in page.locator("#header").inner_text()
    timings: dict = {}

    _ask(page, "In which town did the US strike the PMU's security headquarters in 2024?", timings)
    bot = _last_bot(page)
    assert bot.locator("strong").first.inner_text() == "Qa’im"
    marker = bot.locator('a[href="#src-1"]').first
    assert marker.inner_text() in ("[1]", "1")
    card = page.locator("#src-1")
    assert "Iraq’s resistance groups slam US airstrikes" in card.locator(".source-title").inner_text()
    assert "Qa’im" in card.locator("mark strong").inner_text()  # the answer, in bold inside the quoted sentence
    page.screenshot(path=str(ARTIFACTS / "1-answer.png"), full_page=True)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    marker.click()
    page.wait_for_timeout(300)
    assert page.evaluate(
        "(() => { const r = document.querySelector('#src-1').getBoundingClientRect();"
        " return r.top < window.innerHeight && r.bottom > 0; })()"
    )

    _ask(page, "How far is it from Baghdad?", timings)
    followed = _last_bot(page).inner_text()
    assert "Understood as: How far is Qa’im from Baghdad?" in followed and "400 kilometers" in followed

    page.locator("#question textarea").fill("What happened at Qa'im?")
    page.locator("#timeline-button").click()
    page.wait_for_function(
        "q => { const s = document.querySelector('#sources .sources'); return s && s.dataset.question === q; }",
        arg="What happened at Qa'im?",
        timeout=30_000,
    )
    timeline = _last_bot(page).inner_text()
    assert "oldest first" in timeline and "2024-02-03" in timeline and page.locator("#src-1").is_visible()

    _ask(page, "Who won the 2022 World Cup?", timings)
    assert "don't say" in _last_bot(page).inner_text()
    assert page.locator("#refusal").is_visible()
    page.screenshot(path=str(ARTIFACTS / "2-refusal.png"), full_page=True)

    article = ARTIFACTS / "tromso-harbour-fire.txt"
    article.write_text(HOSTILE_ARTICLE, "utf-8")
    records = ARTIFACTS / "hostile-link.jsonl"
    records.write_text(json.dumps(HOSTILE_RECORD) + "\n", "utf-8")
    page.get_by_text("Add articles").click()
    page.locator("#upload input[type=file]").set_input_files([str(article), str(records)])
    page.locator("#add-button").click()
    page.wait_for_function(
        "() => document.querySelector('#upload-status').innerText.includes('Added 2 file')", timeout=90_000
    )
    assert "4 articles" in page.locator("#header").inner_text()
    _ask(page, "How many bridges did the Ruritania flood wash away?", timings)
    assert "7" in _last_bot(page).locator("strong").first.inner_text()
    card = page.locator("#src-1")
    assert "Ruritania" in card.inner_text()
    assert card.locator("a").count() == 0  # a javascript: url is shown as nothing, never as a link
    assert page.locator('a[href^="javascript"]').count() == 0
    _ask(page, "How many fishing boats were destroyed in Tromso?", timings)
    assert "14" in _last_bot(page).locator("strong").first.inner_text()
    sources = page.locator("#sources").inner_text()
    assert "<script>" in sources and "onerror" in sources
    assert page.evaluate("window.__pwned") is None
    page.screenshot(path=str(ARTIFACTS / "3-upload.png"), full_page=True)
    (ARTIFACTS / "browser-timings.json").write_text(json.dumps(timings, indent=1))
    page.close()


def test_api_endpoint_returns_answer_and_citations(app_url):
    from gradio_client import Client

    result = Client(app_url, verbose=False).predict("Which aircraft struck Abu Kamal?", None, api_name="/answer")
    assert "F-15E" in result["short_answer"]
    assert result["citations"][0]["date"] is None  # the 2021 page gives no date: none is shown
    assert result["citations"][0]["sentence"] in result["citations"][0]["passage"]
