"""Paths from clients: no route reads, copies, serves or indexes a file the client did not upload to this
server, whatever form the path takes (absolute, beside the corpus, `..`, a symbolic link out of the upload
folder). The canary article is a test fixture written here, not article text."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa.assistant import Assistant
from qa.present.client_paths import upload_folder, within
from qa.present.web import build_app

CANARY = "The harbour canary code is ZX81 and it is secret. (Test fixture.)"


def test_only_paths_that_really_lie_in_the_folder_are_within_it(tmp_path):
    folder, outside = tmp_path / "uploads", tmp_path / "secret.txt"
    (folder / "a").mkdir(parents=True)
    outside.write_text(CANARY)
    (folder / "a" / "article.txt").write_text("An upload.")
    (folder / "a" / "link.txt").symlink_to(outside)

    assert within(folder / "a" / "article.txt", folder)
    assert not within(outside, folder)
    assert not within(folder / "a" / ".." / ".." / "secret.txt", folder)
    assert not within(folder / "a" / "link.txt", folder)
    assert not within("/etc/passwd", folder) and not within(folder, folder)


@pytest.fixture(scope="module")
def server(tmp_path_factory, encoder, shipped_settings):
    """A server on its own copy of the shipped corpus, a canary file beside that corpus, and the forms of path
    a hostile client may send for it."""
    import shutil

    work = tmp_path_factory.mktemp("paths")
    corpus = work / "corpus"
    shutil.copytree(shipped_settings.corpus_dir, corpus)
    canary = work / "canary.txt"
    canary.write_text(CANARY)
    link_folder = upload_folder() / f"test-{uuid.uuid4().hex}"
    link_folder.mkdir(parents=True)
    (link_folder / "canary.txt").symlink_to(canary)
    forms = {
        "absolute": "/etc/passwd",
        "beside the corpus": str(canary),
        "dot-dot": f"{upload_folder()}/x/../../..{canary}",
        "symlink out": str(link_folder / "canary.txt"),
    }
    assistant = Assistant(shipped_settings.with_(corpus_dir=corpus, index_dir=work / "index"), encoder=encoder)
    with TestClient(build_app(assistant)) as client:
        yield client, assistant, forms
    shutil.rmtree(link_folder)


def _call(client: TestClient, api: str, data: list) -> str:
    """The event stream of one call of a named Gradio endpoint, as text."""
    started = client.post(f"/gradio_api/call/{api}", json={"data": data})
    if started.status_code != 200:
        return started.text
    return client.get(f"/gradio_api/call/{api}/{started.json()['event_id']}").text


def _file(path: str) -> dict:
    return {"path": path, "meta": {"_type": "gradio.FileData"}, "orig_name": Path(path).name}


def _copies_of_the_canary() -> list[Path]:
    return [p for p in upload_folder().rglob("*") if p.is_file() and not p.is_symlink() and CANARY in _text(p)]


def _text(path: Path) -> str:
    try:
        return path.read_text(errors="ignore")
    except OSError:
        return ""


@pytest.mark.parametrize("form", ["absolute", "beside the corpus", "dot-dot", "symlink out"])
def test_add_refuses_a_file_not_uploaded_here_and_indexes_nothing(server, form):
    client, assistant, forms = server
    before = assistant.info()["documents"]
    stream = _call(client, "add", [[_file(forms[form])]])
    assert "error" in stream or "Refused" in stream
    assert assistant.info()["documents"] == before
    assert not (Path(assistant.settings.corpus_dir) / "uploads").exists()
    assert CANARY not in json.dumps(client.post("/api/ask", json={"question": "What is the canary code?"}).json())


@pytest.mark.parametrize("api", ["chat", "timeline"])
@pytest.mark.parametrize("form", ["absolute", "beside the corpus", "dot-dot", "symlink out"])
def test_chat_and_timeline_copy_no_file_a_history_names(server, api, form):
    client, _, forms = server
    message = {"role": "user", "content": [{"type": "file", "file": _file(forms[form])}]}
    copies = _copies_of_the_canary()  # left by earlier runs, if any
    stream = _call(client, api, ["Which aircraft struck Abu Kamal?", [message], [], "", "", []])
    assert "root:x:0" not in stream and CANARY not in stream
    assert _copies_of_the_canary() == copies


def test_the_answer_endpoint_reads_no_file_a_history_names(server):
    client, _, forms = server
    history = [{"role": "user", "content": _file(forms["beside the corpus"])}]
    stream = _call(client, "answer", ["What is the canary code?", history])
    assert CANARY not in stream and "ZX81" not in stream


@pytest.mark.parametrize("form", ["absolute", "beside the corpus", "dot-dot", "symlink out"])
def test_the_file_route_serves_no_file_outside_what_this_server_made(server, form):
    client, _, forms = server
    for prefix in ("/gradio_api/file=", "/file="):
        reply = client.get(prefix + forms[form])
        assert "root:x:0" not in reply.text and CANARY not in reply.text, (prefix, reply.status_code)
    assert os.path.exists(forms["beside the corpus"])  # the canary is there: the refusals above were real


def test_an_upload_added_is_not_kept_in_the_upload_folder_and_its_report_is_its_own(server):
    client, assistant, _ = server
    rejected = Path(assistant.settings.corpus_dir) / "someoneelse.txt"
    rejected.write_bytes(b"")  # another visitor's empty file, already in the corpus
    assert client.post("/gradio_api/upload", files={"files": ("tool.exe", b"MZ")}).status_code == 415
    body = "PORTVILLE — The lighthouse was repainted on Monday by volunteers. (Test fixture.)"
    uploaded = client.post("/gradio_api/upload", files={"files": ("lighthouse.txt", body.encode())}).json()
    assert Path(uploaded[0]).exists()

    stream = _call(client, "add", [[_file(uploaded[0])]])

    status = json.loads(stream.strip().splitlines()[-1].removeprefix("data: "))[0]  # what the uploader is told
    assert "Added 1 file" in status and "someoneelse" not in status
    assert not Path(uploaded[0]).exists()
    rejected.unlink(missing_ok=True)
