from conftest import ABU_KAMAL, QAIM

from qa.retrieval import fuse


def test_fusion_weights_dense_against_keyword():
    dense = [(1, 0.9), (2, 0.5), (3, 0.1)]
    keyword = [(3, 12.0), (2, 6.0)]
    assert fuse(dense, keyword, 1.0)[0][0] == 1
    assert fuse(dense, keyword, 0.0)[0][0] == 3
    assert fuse(dense, keyword, 0.4)[0][0] == 3
    assert {row for row, _ in fuse(dense, keyword, 0.5)} == {1, 2, 3}
    assert fuse([(7, 0.3)], [(8, 2.0)], 0.3, method="rrf")[0][0] == 8


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
