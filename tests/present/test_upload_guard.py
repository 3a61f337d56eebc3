"""What the server lets visitors upload: article types only, a bounded number of files, a cap on the bytes
waiting in the upload folder; the upload itself reaches the web framework intact (no model)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from qa.present.upload_guard import UploadGuardMiddleware


def _client(folder, max_files=3, max_bytes=10_000) -> TestClient:
    app = FastAPI()

    @app.post("/gradio_api/upload")
    async def upload(request: Request) -> dict:
        form = await request.form()
        return {name: len(await part.read()) for name, part in form.multi_items()}

    app.add_middleware(UploadGuardMiddleware, folder=lambda: folder, max_files=max_files, max_stored_bytes=max_bytes)
    return TestClient(app)


def test_article_files_pass_through_whole(tmp_path):
    reply = _client(tmp_path).post(
        "/gradio_api/upload", files=[("files", ("a.txt", b"x" * 3000, "text/plain")), ("other", ("b.json", b"{}"))]
    )
    assert reply.status_code == 200 and reply.json() == {"files": 3000, "other": 2}


def test_other_types_hidden_files_and_too_many_files_are_refused(tmp_path):
    client = _client(tmp_path)
    for name in ("tool.exe", "page.php", ".hidden.txt", "noextension"):
        reply = client.post("/gradio_api/upload", files={"files": (name, b"data")})
        assert reply.status_code == 415 and name in reply.text
    many = [("files", (f"a{n}.txt", b"data")) for n in range(4)]
    assert client.post("/gradio_api/upload", files=many).status_code == 415


def test_uploads_stop_when_the_folder_is_full_and_start_again_when_it_empties(tmp_path):
    client = _client(tmp_path, max_bytes=10_000)
    (tmp_path / "waiting.txt").write_bytes(b"x" * 8000)
    reply = client.post("/gradio_api/upload", files={"files": ("a.txt", b"y" * 4000)})
    assert reply.status_code == 507 and "full" in reply.text
    (tmp_path / "waiting.txt").unlink()
    assert client.post("/gradio_api/upload", files={"files": ("a.txt", b"y" * 4000)}).status_code == 200
