"""The reader under torch (fp32, int8) and ONNX Runtime (fp32, int8): latency on one thread and whether the
answers agree with fp32, on windows the answer stage really reads (SQuAD dev questions). Measures only.

    python bench/reader_runtime.py [--questions 100] [--reader models/reader]

The model is exported to a temporary folder (the product keeps its export in the cache folder:
qa/runtime.py); int8 is each runtime's dynamic quantisation of the linear layers' weights.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from qa import runtime
from qa.answer.answerer import select_windows
from qa.assistant import Assistant
from qa.evaluation.runner import cache_dir, load_questions
from qa.settings import PROJECT_ROOT, Settings

SQUAD = PROJECT_ROOT.parent / "shared" / "evaldata" / "squad11"


def export(model, tokenizer, weights: Path, folder: Path) -> tuple[Path, Path, Path]:
    """fp32, fp32 with ONNX Runtime's BERT fusions (attention, layer norm, GELU) and int8 ONNX files of the
    span model (start and end logits): the product's exports (qa/runtime.py) and the fused variant."""
    from onnxruntime.transformers.optimizer import optimize_model

    def build():
        sample = tokenizer(["a question?"], ["a window."], return_tensors="pt")
        module = runtime.positional(model, lambda output: (output.start_logits, output.end_logits))
        return module, tuple(sample[name] for name in runtime.INPUTS)

    fp32, int8 = (
        runtime.exported("reader", weights, build, ("start", "end"), cache=folder, int8=quantised)
        for quantised in (False, True)
    )
    fused = folder / "reader-fused.onnx"
    config = model.config
    optimize_model(str(fp32), "bert", config.num_attention_heads, config.hidden_size).save_model_to_file(str(fused))
    return fp32, fused, int8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--reader", type=Path, default=PROJECT_ROOT / "models" / "reader")
    args = parser.parse_args()

    import onnxruntime
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    corpus = SQUAD / "corpus.jsonl"
    assistant = Assistant(Settings.from_env(corpus_dir=corpus, index_dir=cache_dir(corpus)))
    assistant.warm_up()
    batches = []
    for row in load_questions(SQUAD / "questions.jsonl", args.questions):
        windows = select_windows(row["question"], assistant.retriever.run(row["question"]), 3)
        if windows:
            batches.append((row["question"], [window.text for window in windows]))

    tokenizer = AutoTokenizer.from_pretrained(args.reader)
    fp32 = AutoModelForQuestionAnswering.from_pretrained(args.reader, dtype=torch.float32).eval()
    int8 = torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear}, dtype=torch.qint8)
    channel = torch.ao.quantization.per_channel_dynamic_qconfig
    per_channel = torch.ao.quantization.quantize_dynamic(fp32, {torch.nn.Linear: channel}, dtype=torch.qint8)
    torch.set_num_threads(1)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    with tempfile.TemporaryDirectory() as folder:
        files = export(fp32, tokenizer, args.reader / "model.safetensors", Path(folder))
        sessions = [onnxruntime.InferenceSession(str(f), options, providers=["CPUExecutionProvider"]) for f in files]
        sizes = [f.stat().st_size / 1e6 for f in files]

    def torch_run(model):
        def run(encoded):
            with torch.inference_mode():
                out = model(**{name: torch.from_numpy(encoded[name]) for name in runtime.INPUTS})
            return out.start_logits.numpy(), out.end_logits.numpy()

        return run

    def onnx_run(session):
        return lambda encoded: tuple(session.run(None, {name: encoded[name] for name in runtime.INPUTS}))

    runners = {
        "torch fp32": torch_run(fp32),
        "torch int8": torch_run(int8),
        "torch int8 per channel": torch_run(per_channel),
        f"onnx fp32 ({sizes[0]:.0f} MB)": onnx_run(sessions[0]),
        "onnx fp32 fused": onnx_run(sessions[1]),
        f"onnx int8 ({sizes[2]:.0f} MB)": onnx_run(sessions[2]),
    }
    print(f"{len(batches)} questions, windows of up to 128 word pieces, one thread")
    print("runtime                 1 window p50 ms  3 windows p50 / p95 ms  best start and end as fp32")
    reference = None
    for name, run in runners.items():
        one, three, picks = [], [], []
        for question, texts in batches:
            for count, times in ((1, one), (len(texts), three)):
                encoded = tokenizer(
                    [question] * count,
                    texts[:count],
                    truncation="only_second",
                    max_length=128,
                    padding=True,
                    return_tensors="np",
                )
                encoded = {key: value.astype(np.int64) for key, value in encoded.items()}
                started = time.perf_counter()
                starts, ends = run(encoded)
                times.append(1000 * (time.perf_counter() - started))
            picks.append((starts.argmax(1).tolist(), ends.argmax(1).tolist()))
        reference = reference or picks
        agree = sum(p == r for p, r in zip(picks, reference, strict=True)) / len(picks)
        p95 = sorted(three)[int(0.95 * (len(three) - 1))]
        typical = statistics.median(three)
        print(f"{name:22}  {statistics.median(one):15.1f}  {typical:10.1f} / {p95:5.1f}  {agree:10.3f}")


if __name__ == "__main__":
    main()
