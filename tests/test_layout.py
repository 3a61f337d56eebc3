"""The house stays readable: modules of one concept, stages that import only the stages before them, and a
README that is a guide, not a lab notebook."""

import ast

from qa.settings import PROJECT_ROOT

QA = PROJECT_ROOT / "qa"
# Each stage may import the shared top-level modules and the stages listed before it, never one after it.
LATER_STAGES = {
    "ingest": ("qa.index", "qa.retrieval", "qa.answer", "qa.present", "qa.evaluation", "qa.assistant"),
    "index": ("qa.retrieval", "qa.answer", "qa.present", "qa.evaluation", "qa.assistant"),
    "retrieval": ("qa.answer", "qa.present", "qa.evaluation", "qa.assistant"),
    "answer": ("qa.present", "qa.evaluation", "qa.assistant"),
}


def imported(path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_module_of_qa_is_over_300_lines():
    long = {
        str(p.relative_to(PROJECT_ROOT)): n for p in QA.rglob("*.py") if (n := len(p.read_text().splitlines())) > 300
    }
    assert long == {}


def test_a_stage_never_imports_a_later_one():
    upward = [
        (str(path.relative_to(PROJECT_ROOT)), name)
        for stage, later in LATER_STAGES.items()
        for path in (QA / stage).glob("*.py")
        for name in imported(path)
        if name.startswith(later)
    ]
    assert upward == []


def test_the_readme_is_a_guide_of_at_most_300_lines():
    assert len((PROJECT_ROOT / "README.md").read_text("utf-8").splitlines()) <= 300
