"""The CI gate: the shipped question set must stay at or above the thresholds in eval/thresholds.json."""

import json

import pytest

from qa.answer.citations import citation_problems
from qa.evaluation.metrics import figures_grounded, gate_failures, metrics, token_f1
from qa.evaluation.runner import load_questions, run_adversarial, run_questions
from qa.settings import PROJECT_ROOT
from qa.types import Answer, Chunk, Document, Passage

EVAL = PROJECT_ROOT / "eval"


@pytest.fixture(scope="module")
def outcomes(assistant):
    return run_questions(assistant, load_questions(EVAL / "questions.jsonl"))


def test_question_set_is_complete():
    rows = load_questions(EVAL / "questions.jsonl")
    assert len([r for r in rows if not r.get("conversation")]) >= 60
    assert len([r for r in rows if not r["answers"]]) >= 12
    assert len({r["conversation"] for r in rows if r.get("conversation")}) >= 10


def test_shipped_set_meets_the_thresholds(outcomes):
    summary = metrics(outcomes, seconds=1.0)
    thresholds = json.loads((EVAL / "thresholds.json").read_text())
    assert thresholds["shipped"], "the shipped set must have a gate"
    assert gate_failures(summary, thresholds, "shipped") == []


def test_every_answer_keeps_the_citation_invariant(assistant):
    for row in load_questions(EVAL / "questions.jsonl"):
        answer = assistant.run(row["question"])
        assert citation_problems(answer) == [], row["question"]


def test_adversarial_inputs_behave_as_expected(assistant):
    failures = [case for case in run_adversarial(assistant, EVAL / "adversarial.jsonl") if not case["ok"]]
    assert failures == []


def test_token_f1():
    assert token_f1("three soldiers", "3") == pytest.approx(2 / 3)
    assert token_f1("", "x") == 0.0


def test_gate_names_each_metric_below_its_threshold():
    summary = {"answers": {"f1": 0.5, "exact_match": 0.4}}
    thresholds = {"squad11": {"answers.f1": 0.6, "answers.exact_match": 0.4}}
    assert gate_failures(summary, thresholds, "squad11") == ["squad11: answers.f1 = 0.500 < 0.6"]
    assert gate_failures(summary, thresholds, "other") == []


def test_an_invented_figure_is_not_grounded():
    text = "The statement said the attack resulted in the death of 16 people."  # test fixture
    doc = Document(id="d", text=text, title="Strikes", date="2024-02-03")
    passage = Passage(Chunk("d", 0, len(text), text, ((0, len(text)),)), doc, 1.0)
    answer = Answer(question="q", text="**16** [1].", answered=True, passages=[passage])
    assert figures_grounded(answer)
    answer.text = "**500** [1]."
    assert not figures_grounded(answer)
