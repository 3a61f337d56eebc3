from conftest import ABU_KAMAL, QAIM


def test_the_right_article_is_retrieved(assistant):
    first = {
        "How many were killed at Qa'im?": QAIM,
        "how many died in al qaim": QAIM,
        "What did Kirby say about Iraqi intelligence work?": ABU_KAMAL,
        "Which television network carried the Defense Ministry's statement?": ABU_KAMAL,
    }
    for question, article in first.items():
        assert assistant.retriever.run(question, 5)[0].document.path.endswith(article), question
    # Both articles speak of aircraft; the one naming Abu Kamal must be among the top passages.
    top = assistant.retriever.run("Which aircraft struck Abu Kamal?", 3)
    assert any(p.document.path.endswith(ABU_KAMAL) for p in top)


def test_every_mode_returns_scored_passages(assistant):
    for mode in ("hybrid", "dense", "keyword"):
        passages = assistant.retriever.run("Tower 22 drone attack", 3, mode=mode)
        assert 1 <= len(passages) <= 3
        assert passages == sorted(passages, key=lambda p: -p.score)
