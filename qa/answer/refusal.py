"""Whether the articles answer the question: a logistic model over the reader's margin and how close the
answer's passage is to the question in meaning (the embeddings' cosine), fitted by `eval/calibrate.py --fit`
on questions the reader never trained on. Its probability is the Answer's confidence and what refusal
compares with `min_answer_confidence`."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from qa.answer.reader import Reading
from qa.errors import ModelMissing

FILE_NAME = "refusal.json"  # beside the reader's weights: it is fitted to that reader's margins
FEATURES = (
    "margin",  # the reader's best span over "no answer"
    "cosine",  # the question's embedding against the passage's (0 when only keyword search found it)
)


def features(reading: Reading) -> tuple[float, ...]:
    """The values of FEATURES for one reading."""
    return (reading.margin, reading.window.passage.dense_score)


@dataclass(frozen=True)
class RefusalModel:
    """P(the articles answer the question) = sigmoid(bias + weights · features)."""

    weights: tuple[float, ...]
    bias: float = 0.0

    @classmethod
    def margin_only(cls) -> RefusalModel:
        """The reader's margin alone (sigmoid of it): what a reader without a fitted model falls back to."""
        return cls(tuple(1.0 if name == "margin" else 0.0 for name in FEATURES))

    @classmethod
    def load(cls, folder: Path) -> RefusalModel:
        """The model fitted for the reader in `folder`, or the margin alone when none was fitted."""
        path = Path(folder) / FILE_NAME
        if not path.exists():
            return cls.margin_only()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(tuple(float(data["weights"][name]) for name in FEATURES), float(data["bias"]))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelMissing(
                f"{path} cannot be read ({type(error).__name__}: {error}): refit it with "
                "`python eval/calibrate.py --fit`, or delete it to refuse on the reader's margin alone"
            ) from None

    def save(self, folder: Path, **report: object) -> Path:
        """Write the model (and what it was fitted on) beside the reader's weights."""
        path = Path(folder) / FILE_NAME
        data = {"weights": dict(zip(FEATURES, self.weights, strict=True)), "bias": self.bias, **report}
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return path

    def confidence(self, reading: Reading) -> float:
        """How likely this reading answers its question, from 0 to 1."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, features(reading), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
