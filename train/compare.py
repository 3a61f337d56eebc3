"""Score readers on one draw of the held-out windows, so stages (and their weight average) compare fairly.

    python train/compare.py models/reader /tmp/stage2 [--average]

Each training run scores its own draw of held-out windows (the window around an answer is placed at
random), so figures from two runs differ by the draw as well as the reader; this scores every reader named
on the same windows. `--average` also scores the mean of the first two readers' weights.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
from pathlib import Path

from examples import load_rows, make_examples, split
from report import evaluate
from train_reader import encode, model_inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("readers", type=Path, nargs="+", help="folders of reader weights")
    parser.add_argument("--average", action="store_true", help="also score the mean of the first two readers")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    torch.set_num_threads(args.threads)
    rows = load_rows(random.Random(args.seed), share=0.0)  # no answerable training rows: the held-out ones
    _, held_out = split(make_examples(rows, random.Random(args.seed)))
    tokenizer = AutoTokenizer.from_pretrained(args.readers[0])
    models = {
        str(path): AutoModelForQuestionAnswering.from_pretrained(path, dtype=torch.float32).eval()
        for path in args.readers
    }
    if args.average and len(models) >= 2:
        first, second = (model.state_dict() for model in list(models.values())[:2])
        mean = copy.deepcopy(models[str(args.readers[0])])
        mean.load_state_dict({name: (first[name] + second[name]) / 2 for name in first})
        models["average of the first two"] = mean
    print(f"{len(held_out)} held-out windows")
    for name, model in models.items():
        print(name, json.dumps(evaluate(model, tokenizer, held_out, encode, model_inputs)), flush=True)


if __name__ == "__main__":
    main()
