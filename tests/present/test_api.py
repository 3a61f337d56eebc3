"""POST /api/ask: JSON answers, 4xx with a message for bad input, and the same login as the page."""

import pytest
from fastapi.testclient import TestClient

from qa.assistant import Assistant
from qa.present.web import build_app


@pytest.fixture(scope="module")
def client(assistant):
    return TestClient(build_app(assistant))


def test_a_question_gets_the_answer_with_citations(client):
    reply = client.post("/api/ask", json={"question": "Which aircraft struck Abu Kamal?"})
    assert reply.status_code == 200
    assert "F-15E" in reply.json()["short_answer"] and reply.json()["citations"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"question": "   "}, 400, "empty"),
        ({"question": "x" * 5000}, 400, "characters long"),
        ({"question": "Which aircraft?", "history": 5}, 422, "history"),
        ({"question": "Which aircraft?", "k": 0}, 422, "k"),
        ({"history": []}, 422, "question"),
    ],
)
def test_malformed_input_gets_a_4xx_with_a_message(client, body, status, message):
    reply = client.post("/api/ask", json=body)
    assert reply.status_code == status
    assert message in str(reply.json()["detail"])


def test_a_lone_surrogate_is_not_a_server_error(client):
    reply = client.post(
        "/api/ask",
        content=b'{"question": "Which aircraft struck \\ud800Abu Kamal?"}',
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 200 and "F-15E" in reply.json()["short_answer"]


def test_the_api_needs_the_login_when_one_is_set(shipped_settings, encoder):
    protected = Assistant(shipped_settings.with_(auth="editor:s3cret"), encoder=encoder)
    client = TestClient(build_app(protected))
    body = {"question": "Which aircraft struck Abu Kamal?"}
    assert client.post("/api/ask", json=body).status_code == 401
    assert client.post("/api/ask", json=body, auth=("editor", "wrong")).status_code == 401
    assert client.post("/api/ask", json=body, auth=("editor", "s3cret")).status_code == 200
    for _ in range(5):
        client.post("/api/ask", json=body, auth=("editor", "guess"))
    assert client.post("/api/ask", json=body, auth=("editor", "s3cret")).status_code == 401  # locked for now


def test_the_web_server_refuses_an_upload_over_the_size_limit(shipped_settings, encoder):
    small = Assistant(shipped_settings.with_(max_upload_mb=1), encoder=encoder)
    client = TestClient(build_app(small))
    big = {"files": ("big.txt", b"word " * 300_000, "text/plain")}  # 1.5 MB
    refused = client.post("/gradio_api/upload", files=big)
    assert refused.status_code == 413
    fine = client.post("/gradio_api/upload", files={"files": ("ok.txt", b"A short article.", "text/plain")})
    assert fine.status_code == 200


def test_a_strangers_guesses_never_lock_the_owner_out(shipped_settings, encoder):
    app = build_app(Assistant(shipped_settings.with_(auth="alice:s3cret"), encoder=encoder))
    owner = TestClient(app, client=("127.0.0.1", 40000))
    stranger = TestClient(app, client=("127.0.0.2", 40001))
    body = {"question": "Which aircraft struck Abu Kamal?"}
    assert owner.post("/login", data={"username": "alice", "password": "s3cret"}).status_code == 200
    assert owner.get("/config").status_code == 200  # the session cookie works

    for _ in range(6):
        assert stranger.post("/login", data={"username": "alice", "password": "guess"}).status_code == 400
        stranger.post("/api/ask", json=body, auth=("alice", "guess"))
    assert stranger.post("/login", data={"username": "alice", "password": "s3cret"}).status_code == 400  # locked

    assert owner.get("/config").status_code == 200  # the session cookie keeps working
    fresh = TestClient(app, client=("127.0.0.1", 40002))
    assert fresh.post("/login", data={"username": "alice", "password": "s3cret"}).status_code == 200
    assert fresh.post("/api/ask", json=body, auth=("alice", "s3cret")).status_code == 200


def test_before_login_the_page_shows_the_login_form_and_no_endpoint_or_outlet(shipped_settings, encoder):
    client = TestClient(build_app(Assistant(shipped_settings.with_(auth="alice:s3cret"), encoder=encoder)))
    page = client.get("/")
    assert page.status_code == 200 and "auth_required" in page.text
    for secret in ("gradio_api_info = {", "/chat", "answer_api", "Press TV", "outlets"):
        assert secret not in page.text, secret
    assert client.get("/gradio_api/info").status_code == 401
    client.post("/login", data={"username": "alice", "password": "s3cret"})
    assert "/chat" in client.get("/gradio_api/info").text  # once logged in, the page fetches it


@pytest.mark.parametrize("length", [690, 1066, 2000])
def test_a_long_question_up_to_the_limit_is_answered_or_refused_never_a_server_error(client, length):
    phrase = "Which aircraft struck Abu Kamal, and what did the Pentagon say about the strike near the border? "
    reply = client.post("/api/ask", json={"question": (phrase * 30)[:length]})
    assert reply.status_code == 200 and reply.json()["text"]
