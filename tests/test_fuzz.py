"""Fuzzing the two doors hostile input comes through: article files and questions. Nothing may escape as a
crash: a bad file is a named LoadProblem and the rest of the corpus loads; a bad question is an
InvalidQuestion with a message, anything else gets an Answer."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import InvalidQuestion
from qa.ingest.cleaning import clean_corpus
from qa.ingest.loaders import load_corpus
from qa.types import Answer

GOOD = "Good headline\nThe council approved the new budget on Monday, the mayor said.\n"
SUFFIXES = [".txt", ".md", ".html", ".json", ".jsonl"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["text", "title", "date", "url", "id", "source"]) | st.text(max_size=5), inner, max_size=5
        )
    ),
    max_leaves=20,
)
contents = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(json_values, max_size=4).map(lambda vs: "\n".join(json.dumps(v) for v in vs).encode()),
    st.integers(1, 50_000).map(lambda n: b"[" * n + b"]" * n),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from(SUFFIXES), content=contents)
def test_any_file_is_loaded_or_named_and_the_rest_of_the_corpus_still_loads(tmp_path_factory, suffix, content):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "good.txt").write_text(GOOD, "utf-8")
    (folder / f"fuzzed{suffix}").write_bytes(content)
    articles, problems = load_corpus(folder)
    assert any(a.key.endswith("good.txt") for a in articles)
    assert all(p.reason and "fuzzed" in p.path for p in problems)
    cleaned = clean_corpus(articles)
    assert any(d.path.endswith("good.txt") for d in cleaned.documents)
    assert all(p.reason for p in cleaned.problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    question=st.text(max_size=300) | st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    history=st.none()
    | st.lists(st.text(max_size=20) | st.tuples(st.text(max_size=20), st.text(max_size=20)), max_size=3),
)
def test_any_question_gets_an_answer_or_a_clear_error(assistant, question, history):
    try:
        answer = assistant.run(question, history=history)
    except InvalidQuestion as error:
        assert str(error)
        return
    assert isinstance(answer, Answer) and answer.text
    json.dumps(answer.to_dict())
