"""The optional phrasing model, through a real OpenAI-compatible HTTP server on loopback, and its guard."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from qa.answer.citations import citation_problems
from qa.answer.guard import guard_problems
from qa.answer.phrasing import Phraser


def test_guard_rejects_invented_numbers_and_names():
    passages = ["The PMU said the attack resulted in the death of 16 people and left 36 others injured."]
    assert guard_problems("The PMU said 16 people were killed [1].", passages, {1}) == []
    assert "number '20'" in " ".join(guard_problems("The PMU said 20 people died [1].", passages, {1}))
    assert "name 'Reuters'" in " ".join(guard_problems("Reuters said 16 died [1].", passages, {1}))
    assert guard_problems("Sixteen people died.", passages, {1}) == ["no citation marker"]
    assert "unknown markers" in guard_problems("16 died [3].", passages, {1})[0]
    assert "missing" in guard_problems("Many people died [1].", passages, {1}, required="16")[0]


class _Server(BaseHTTPRequestHandler):
    reply = ""
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Server.seen.append(body)
        data = json.dumps({"choices": [{"message": {"content": _Server.reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def model_server():
    server = HTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def test_openai_endpoint_phrase_is_used_only_when_grounded(assistant, model_server):
    phraser = Phraser(assistant.settings.with_(llm="openai", llm_url=model_server, llm_model="local"))
    answer = assistant.run("How many targets did CENTCOM say US forces struck?")

    _Server.reply = "According to CENTCOM, US forces struck more than 85 targets in Iraq and Syria [1]."
    phrased = phraser.run(answer)
    assert phrased.phrasing == "accepted" and phrased.text == _Server.reply
    assert citation_problems(phrased) == []
    assert "Sources:\n[1]" in _Server.seen[-1]["messages"][1]["content"]

    _Server.reply = "CENTCOM said US forces struck more than 85 targets [1], 52 of them in Iraq."
    rejected = phraser.run(answer)
    assert rejected.phrasing.startswith("rejected") and "'52'" in rejected.phrasing
    assert rejected.text == answer.text


def test_unreachable_model_server_keeps_the_extractive_answer(assistant):
    phraser = Phraser(assistant.settings.with_(llm="openai", llm_url="http://127.0.0.1:9"))
    answer = assistant.run("How many targets did CENTCOM say US forces struck?")
    kept = phraser.run(answer)
    assert kept.text == answer.text and kept.phrasing.startswith("failed")
