import pytest
from conftest import TARGETS_STRUCK

import qa
from qa import Answer, InvalidQuestion, ask
from qa.api import default_assistant
from qa.assistant import Assistant


def test_ask_returns_a_typed_answer_with_citations(assistant):
    answer = ask("How many targets did CENTCOM say US forces struck?", index=assistant)
    assert isinstance(answer, Answer)
    citation = answer.citations[0]
    assert citation.number == 1 and citation.title and citation.url is None
    assert citation.passage[citation.sentence_start - citation.passage_start :].startswith(citation.sentence)
    data = answer.to_dict()
    assert data["short_answer"] in TARGETS_STRUCK and data["citations"][0]["sentence"] == citation.sentence
    assert {"retrieval", "windows", "reading", "total"} <= set(answer.timings)
    assert citation.answer_start is not None and citation.sentence_start <= citation.answer_start


@pytest.mark.parametrize("question", ["", "   \n\t", "x" * 100_000, None])
def test_empty_whitespace_or_huge_questions_get_a_clear_error(assistant, question):
    with pytest.raises(InvalidQuestion) as error:
        assistant.run(question)
    assert "question" in str(error.value).lower()


def test_first_ask_builds_the_index_when_none_is_on_disk(tmp_path, monkeypatch, corpus_copy):
    monkeypatch.setenv("NEWSDESK_INDEX_DIR", str(tmp_path / "fresh-index"))
    monkeypatch.setenv("NEWSDESK_CORPUS_DIR", str(corpus_copy))
    answer = qa.ask("Which aircraft struck Abu Kamal?")
    assert (tmp_path / "fresh-index" / "manifest.json").exists()
    assert "F-15E" in answer.short_answer
    assert default_assistant() is default_assistant()


def test_info_reports_size_model_and_corpus_changes(assistant):
    info = assistant.info()
    assert info["documents"] == 2 and info["chunks"] >= 2
    assert info["model"] == "all-MiniLM-L6-v2"
    assert info["changes"] == {"new": 0, "changed": 0, "removed": 0}


def test_offline_environment_is_set_where_the_product_starts(assistant):
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert os.environ["HF_HUB_DISABLE_TELEMETRY"] == "1"


def test_uploads_are_added_incrementally_and_bad_ones_reported(tmp_path, corpus_copy, encoder):
    assistant = Assistant(encoder=encoder, corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    new = tmp_path / "quake.md"
    new.write_text("# Earthquake shakes Lima\n\nA magnitude 6.1 earthquake shook Lima on Monday, officials said.\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x00binary")
    report = assistant.add([new, bad])
    assert [p.path for p in report.problems] == ["bad.txt"]
    assert (corpus_copy / "uploads" / "quake.md").exists()
    assert assistant.run("What magnitude was the Lima earthquake?").short_answer == "6.1"


def test_questions_are_answered_while_an_upload_is_indexed(tmp_path, corpus_copy, encoder, monkeypatch):
    """Readers never wait for writers: indexing is held up on purpose and a question still answers at once."""
    import threading

    from qa.index.embedding import ChunkEmbedder

    assistant = Assistant(encoder=encoder, corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    assistant.warm_up()
    release, embedding = threading.Event(), threading.Event()
    original = ChunkEmbedder._embed

    def held_embed(self, texts, stage):
        embedding.set()
        release.wait(60)
        return original(self, texts, stage)

    monkeypatch.setattr(ChunkEmbedder, "_embed", held_embed)
    new = tmp_path / "quake.md"
    new.write_text("# Earthquake shakes Lima\n\nA magnitude 6.1 earthquake shook Lima on Monday, officials said.\n")
    job = assistant.add_async([new])
    assert embedding.wait(60) and job.state == "running"
    answer = assistant.run("How many targets did CENTCOM say US forces struck?")
    assert answer.short_answer in TARGETS_STRUCK and job.state == "running"
    release.set()
    report = job.wait(60)
    assert report.added == 1 and assistant.info()["documents"] == 3


def test_parallel_questions_get_the_same_answers_as_one_at_a_time(assistant):
    from concurrent.futures import ThreadPoolExecutor

    questions = [
        "How many targets did CENTCOM say US forces struck?",
        "Which aircraft struck Abu Kamal?",
        "In which town did the US strike the PMU's security headquarters in 2024?",
        "Who won the 2022 World Cup?",
    ] * 3
    alone = [assistant.run(q).text for q in questions]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda q: assistant.run(q).text, questions))
    assert together == alone


@pytest.mark.parametrize("history", [5, "not a list", {"role": "user"}])
def test_malformed_history_is_a_clear_error(assistant, history):
    with pytest.raises(InvalidQuestion, match="history must be a list"):
        assistant.run("Which aircraft struck Abu Kamal?", history=history)


def test_control_characters_and_lone_surrogates_in_a_question_are_dropped(assistant):
    answer = assistant.run("Which aircraft\x00 struck \ud800Abu Kamal?\x1b[2J")
    assert "F-15E" in answer.short_answer
    assert answer.question == "Which aircraft struck Abu Kamal? [2J"


def test_articles_added_while_the_server_was_down_are_indexed_at_start(tmp_path, corpus_copy, encoder):
    first = Assistant(encoder=encoder, corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    first.warm_up()
    assert first.catch_up() is None
    (corpus_copy / "quake.md").write_text("# Earthquake shakes Lima\n\nA magnitude 6.1 earthquake shook Lima.\n")
    restarted = Assistant(encoder=encoder, corpus_dir=corpus_copy, index_dir=tmp_path / "index")
    job = restarted.catch_up()
    assert job is not None and job.wait(120).added == 1
    assert restarted.info()["documents"] == 3
