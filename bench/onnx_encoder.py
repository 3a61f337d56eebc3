"""The embedding model under ONNX Runtime (fp32 and int8) against torch on CPU: throughput, agreement with
torch's vectors, and dense retrieval on SQuAD dev as an open corpus. Measures only; newsdesk keeps torch.

    python bench/onnx_encoder.py [--questions 300] [--threads 2]

Needs `pip install onnx onnxruntime` (not newsdesk dependencies). The model is exported from the packaged
all-MiniLM-L6-v2 to a temporary folder; int8 is onnxruntime's dynamic quantisation of its weights.
Pooling and normalisation are the model's own (mean of the last hidden states over real tokens, L2).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.evaluation.runner import cache_dir
from qa.index.encoder import Encoder, model_path
from qa.index.store import load_index
from qa.ingest.chunking import embedding_text
from qa.settings import PROJECT_ROOT, Settings

SQUAD = PROJECT_ROOT.parent / "shared" / "evaldata" / "squad11"
MAX_LENGTH = 256
BATCH = 32


def export(folder: Path) -> tuple[Path, Path]:
    """fp32 and int8 ONNX files of the packaged model's transformer."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path())
    bert = AutoModel.from_pretrained(model_path()).eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001
            return self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)[0]

    model = Hidden().eval()
    sample = tokenizer(["an example sentence"], return_tensors="pt")
    fp32, int8 = folder / "encoder.onnx", folder / "encoder-int8.onnx"
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in names} | {"hidden": {0: "batch", 1: "tokens"}}
    with torch.no_grad():
        torch.onnx.export(
            model,
            tuple(sample[name] for name in names),
            str(fp32),
            input_names=names,
            output_names=["hidden"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


class OnnxEncoder:
    def __init__(self, file: Path, threads: int) -> None:
        import onnxruntime
        from transformers import AutoTokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(str(file), options, providers=["CPUExecutionProvider"])
        self.tokenizer = AutoTokenizer.from_pretrained(model_path())

    def run(self, texts: list[str]) -> np.ndarray:
        order = np.argsort([-len(text) for text in texts])
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(texts), BATCH):
            rows = order[start : start + BATCH]
            batch = self.tokenizer(
                [texts[i] for i in rows], padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="np"
            )
            feed = {name: batch[name].astype(np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
            hidden = self.session.run(None, feed)[0]
            mask = feed["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            vectors[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return vectors


def recall_at_5(chunk_vectors: np.ndarray, query_vectors: np.ndarray, chunk_docs: list[str], gold: list[set]) -> float:
    scores = query_vectors @ chunk_vectors.T
    hits = 0
    for row, wanted in enumerate(gold):
        top = np.argsort(-scores[row])[:5]
        hits += any(chunk_docs[i] in wanted for i in top)
    return hits / len(gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    index = load_index(cache_dir(SQUAD / "corpus.jsonl"))
    texts = [embedding_text(index.documents[c.doc_id], c) for c in index.chunks]
    keys = {doc.id: doc.path.rsplit("#", 1)[-1] for doc in index.documents.values()}
    chunk_docs = [keys[c.doc_id] for c in index.chunks]
    rows = [json.loads(line) for line in (SQUAD / "questions.jsonl").read_text("utf-8").splitlines()]
    rows = [row for row in rows if row.get("evidence_doc_ids")]
    rows = [rows[int(i * len(rows) / args.questions)] for i in range(args.questions)]
    questions, gold = [row["question"] for row in rows], [set(row["evidence_doc_ids"]) for row in rows]

    torch_encoder = Encoder(Settings.from_env())
    torch_encoder.warm_up()
    started = time.perf_counter()
    torch_vectors = torch_encoder.run(texts, threads=args.threads)
    torch_seconds = time.perf_counter() - started
    torch_queries = torch_encoder.run(questions, threads=args.threads)
    print(f"SQuAD dev: {len(texts):,} chunks, {len(questions)} questions; {args.threads} threads")
    print("encoder          chunks/s  vs torch  cosine to torch (mean/min)  dense recall@5")
    print(
        f"torch fp32       {len(texts) / torch_seconds:8.1f}     1.00x  1.0000 / 1.0000             "
        f"{recall_at_5(torch_vectors, torch_queries, chunk_docs, gold):.3f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        for name, file in zip(("onnx fp32", "onnx int8"), export(Path(folder)), strict=True):
            encoder = OnnxEncoder(file, args.threads)
            started = time.perf_counter()
            vectors = encoder.run(texts)
            seconds = time.perf_counter() - started
            queries = encoder.run(questions)
            agreement = (vectors * torch_vectors).sum(1)
            print(
                f"{name:16} {len(texts) / seconds:8.1f}  {torch_seconds / seconds:7.2f}x  "
                f"{agreement.mean():.4f} / {agreement.min():.4f}             "
                f"{recall_at_5(vectors, queries, chunk_docs, gold):.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
