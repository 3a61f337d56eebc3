"""Which windows the reader reads (no model)."""

from qa.answer.answerer import competing_readings, select_windows
from qa.answer.reader import Reading, Window
from qa.types import Chunk, Document, Passage

# Test fixture written for these tests, not a real article.
SENTENCES = [
    "The storm hit the coast on Monday.",
    "Power failed in 3,000 homes.",
    "Schools closed early.",
    "The port reopened on Wednesday.",
    "Ferries resumed service.",
]


def _passage(doc_id: str = "d", sentences: list[str] = SENTENCES) -> Passage:
    text = " ".join(sentences)
    spans, start = [], 0
    for sentence in sentences:
        spans.append((start, start + len(sentence)))
        start += len(sentence) + 1
    doc = Document(id=doc_id, text=text, title="Storm")
    return Passage(Chunk(doc_id, 0, len(text), text, tuple(spans)), doc, 1.0)


def test_windows_cover_every_sentence_with_a_neighbour_and_the_best_match_comes_first():
    passage = _passage()
    windows = select_windows("When did the port reopen?", [passage], limit=10)
    covered = {span for window in windows for span in window.sentences}
    assert covered == set(passage.chunk.sentences)
    assert all(len(window.sentences) >= 2 for window in windows)
    assert "The port reopened on Wednesday." in windows[0].text
    assert len(select_windows("When did the port reopen?", [passage], limit=1)) == 1


def test_only_differing_figures_from_different_articles_compete():
    first, second = _passage("a"), _passage("b", [s.replace("3,000", "4,500") for s in SENTENCES])

    def reading(passage: Passage, needle: str, margin: float) -> Reading:
        start = passage.document.text.index(needle)
        return Reading(Window(passage, passage.chunk.sentences[:2]), start, start + len(needle), margin)

    both = [reading(first, "3,000", 9.0), reading(second, "4,500", 3.5)]
    assert len(competing_readings("How many homes lost power?", both, sure_margin=3.0)) == 2
    unsure = [reading(first, "3,000", 9.0), reading(second, "4,500", 1.0)]
    assert len(competing_readings("How many homes lost power?", unsure, sure_margin=3.0)) == 1
    words = [reading(first, "Monday", 9.0), reading(second, "Monday", 8.9)]
    assert len(competing_readings("When did the storm hit?", words, sure_margin=3.0)) == 1


class _RecordingReader:
    """Stands in for the model: a fixed margin per window, and a record of what each call read."""

    def __init__(self, margins: dict[tuple[str, int], float], answers: dict[str, str]) -> None:
        self.margins, self.answers, self.calls = margins, answers, []

    def run(self, question: str, windows: list[Window]) -> list[Reading]:
        self.calls.append(len(windows))
        found = []
        for w in windows:
            answer = self.answers.get(w.passage.document.id, "")
            start = w.text.find(answer) if answer else -1
            start, end = (w.start, w.start + 3) if start < 0 else (w.start + start, w.start + start + len(answer))
            found.append(Reading(w, start, end, self.margins[w.passage.document.id, w.start]))
        return sorted(found, key=lambda reading: -reading.margin)


def _answerer(sure: float, margins_by_rank: list[float], passages: list[Passage] | None = None, **answers: str):
    from qa.answer.answerer import Answerer
    from qa.settings import Settings

    windows = select_windows("How many homes lost power?", passages or [_passage()], limit=len(margins_by_rank))
    answerer = Answerer(Settings(sure_margin=sure))
    margins = {(w.passage.document.id, w.start): m for w, m in zip(windows, margins_by_rank, strict=True)}
    answerer.reader = _RecordingReader(margins, answers)
    return answerer, windows


def test_a_sure_first_window_ends_the_reading_and_an_unsure_one_reads_the_rest():
    answerer, windows = _answerer(3.0, [4.0, 6.0])
    assert [r.window for r in answerer.read("q", windows)] == [windows[0]]
    assert answerer.reader.calls == [1]

    answerer, windows = _answerer(3.0, [2.0, 6.0])
    readings = answerer.read("q", windows)
    assert [r.margin for r in readings] == [6.0, 2.0] and answerer.reader.calls == [1, 1]

    answerer, windows = _answerer(float("inf"), [9.0, 6.0])
    assert len(answerer.read("q", windows)) == 2 and answerer.reader.calls == [2]


def test_a_sure_figure_ends_the_reading_only_when_no_other_article_is_waiting():
    answerer, windows = _answerer(3.0, [4.0, 6.0], d="3,000")
    assert len(answerer.read("q", windows)) == 1  # both windows from one article

    other = _passage("b", [s.replace("3,000", "4,500") for s in SENTENCES])
    answerer, windows = _answerer(3.0, [4.0, 6.0], [_passage(), other], d="3,000", b="4,500")
    assert {w.passage.document.id for w in windows} == {"d", "b"}
    assert len(answerer.read("q", windows)) == 2 and answerer.reader.calls == [1, 1]


def _two_stage(first_margin: float) -> tuple:
    """An answerer that reads two windows, then two more when neither answers (confidence = sigmoid(margin))."""
    from qa.answer.answerer import Answerer
    from qa.answer.refusal import RefusalModel
    from qa.settings import Settings

    passages = [_passage("d"), _passage("b")]
    windows = select_windows("How many homes lost power?", passages, limit=4)
    answerer = Answerer(Settings(reader_windows=2, more_windows=2, sure_margin=float("inf")))
    margins = {(w.passage.document.id, w.start): first_margin if i < 2 else 2.0 for i, w in enumerate(windows)}
    answerer.reader = _RecordingReader(margins, {})
    answerer.refusal = RefusalModel.margin_only()
    return answerer, passages


def test_more_windows_are_read_only_when_none_of_the_first_answers():
    answerer, passages = _two_stage(first_margin=-3.0)
    answer = answerer.run("How many homes lost power?", passages, {})
    assert answerer.reader.calls == [2, 2] and answer.answered
    assert answer.confidence > 0.5

    answerer, passages = _two_stage(first_margin=1.0)
    assert answerer.run("How many homes lost power?", passages, {}).answered
    assert answerer.reader.calls == [2]


def test_readings_for_calibration_include_the_second_stage():
    answerer, passages = _two_stage(first_margin=1.0)
    assert len(answerer.readings("How many homes lost power?", passages)) == 4
