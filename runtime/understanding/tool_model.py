"""Which tool a request asks for: a classifier trained on annotated examples, with calibrated probabilities.

Training data (`agents/training/*.jsonl`, one example a line: the agent, the request, the calls it
should plan) plus each tool's own description. An example's label is the first call that changes
something (else its first read; no call at all is ANSWER: the agent answers or asks). Features are
the router's three views of the text (MiniLM sentence embedding, word and character TF-IDF); the
classifier is a multinomial logistic regression, deterministic for a given training set.

At planning time the probabilities are the classifier's scores for the tools the agent holds
(and ANSWER) through a softmax whose temperature is fitted on held-out predictions (stratified
k-fold over the annotated examples, each restricted to its own agent's tools): temperature scaling,
so that a tool given 0.7 is the one asked for about 7 times in 10.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize_scalar
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from agents.spec import AgentSpec
from tools.registry import ToolRegistry

ANSWER = "__answer__"  # no call: the agent answers, or asks what it needs
READ = "__read__"  # only reads: which ones is the planner's business, the gate lets every read run
MODEL_VERSION = 1
TRAINING_DIR = Path(__file__).resolve().parents[2] / "agents" / "training"


@dataclass(frozen=True)
class Example:
    """One annotated request: which agent it was written for and the calls it should plan."""

    agent: str
    text: str
    calls: tuple[dict[str, Any], ...]


def load_examples(directory: Path = TRAINING_DIR) -> list[Example]:
    """Every annotated example under `directory`, in file then line order; a bad line names its place."""
    examples: list[Example] = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                examples.append(Example(str(row["agent"]), str(row["text"]), tuple(row["calls"])))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path.name}:{number}: not an annotated example ({exc})") from exc
    return examples


def label_of(calls: Iterable[dict[str, Any]], tools: ToolRegistry) -> str:
    """What the request is for: its first change, else READ (only reads), else ANSWER (no call)."""
    calls = list(calls)
    changes = [c["tool"] for c in calls if tools.get(c["tool"]).risk.value != "read"]
    if changes:
        return str(changes[0])
    return READ if calls else ANSWER


@dataclass(frozen=True)
class TrainingSet:
    texts: list[str]
    labels: list[str]
    allowed: list[frozenset[str]]  # per text: the labels its agent can plan (for held-out calibration)


def training_set(examples: Sequence[Example], specs: Sequence[AgentSpec], tools: ToolRegistry) -> TrainingSet:
    by_id = {spec.id: spec for spec in specs}
    texts: list[str] = []
    labels: list[str] = []
    allowed: list[frozenset[str]] = []
    for example in examples:
        spec = by_id.get(example.agent)
        if spec is None:
            raise ValueError(f"annotated example for unknown agent {example.agent!r}: {example.text!r}")
        texts.append(example.text)
        labels.append(label_of(example.calls, tools))
        allowed.append(choices(spec.tools, tools))
    every = choices(tools.ids(), tools)
    for tool in tools:
        texts.append(tool.description)
        labels.append(tool.id if tool.risk.value != "read" else READ)
        allowed.append(every)
    return TrainingSet(texts, labels, allowed)


def choices(agent_tools: Iterable[str], tools: ToolRegistry) -> frozenset[str]:
    """The labels an agent can plan: each of its tools that changes something, READ and ANSWER."""
    return frozenset(t for t in agent_tools if tools.get(t).risk.value != "read") | {READ, ANSWER}


def training_key(embedder_name: str, data: TrainingSet) -> str:
    """Identifies a trained model: same embedder and same data give the same key."""
    body = json.dumps(["tool-model", MODEL_VERSION, embedder_name, data.texts, data.labels,
                       [sorted(a) for a in data.allowed]])
    return hashlib.sha256(body.encode()).hexdigest()


class _Features:
    """The sentence embedding beside word (1-2) and character (3-5) TF-IDF of the text."""

    def __init__(self) -> None:
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)

    def fit(self, texts: Sequence[str], vectors: npt.NDArray[np.float32]) -> csr_matrix:
        return hstack([csr_matrix(vectors), self.words.fit_transform(texts), self.chars.fit_transform(texts)]).tocsr()

    def transform(self, texts: Sequence[str], vectors: npt.NDArray[np.float32]) -> csr_matrix:
        return hstack([csr_matrix(vectors), self.words.transform(texts), self.chars.transform(texts)]).tocsr()


def _tfidf(view: TfidfVectorizer, text: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """One text's TF-IDF row as (columns, values): what `view.transform` gives (sublinear tf, l2 norm), without
    its per-call checks, which cost more than the arithmetic for a single short text."""
    counts: dict[int, int] = {}
    for term in view.build_analyzer()(text):
        column = view.vocabulary_.get(term)
        if column is not None:
            counts[column] = counts.get(column, 0) + 1
    columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
    values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * view.idf_[columns]
    norm = float(np.sqrt((values * values).sum()))
    return columns, values / norm if norm > 0 else values


def _softmax(scores: npt.NDArray[np.float64], temperature: float) -> npt.NDArray[np.float64]:
    z = scores / temperature
    z = z - z.max()
    e = np.exp(z)
    result: npt.NDArray[np.float64] = e / e.sum()
    return result


def _fit_temperature(held: Sequence[tuple[npt.NDArray[np.float64], int]]) -> float:
    """The temperature that minimises the negative log-likelihood of the held-out labels."""

    def loss(log_t: float) -> float:
        t = float(np.exp(log_t))
        return -sum(float(np.log(_softmax(scores, t)[right] + 1e-12)) for scores, right in held) / len(held)

    found = minimize_scalar(loss, bounds=(-4.0, 3.0), method="bounded")
    return float(np.exp(found.x))


class ToolModel:
    """Trained once per training set (and embedder); cheap to apply to one request."""

    def __init__(self, features: _Features, classifier: LinearSVC, temperature: float, key: str):
        self.features = features
        self.classifier = classifier
        self.temperature = temperature
        self.key = key
        self.classes: list[str] = [str(c) for c in classifier.classes_]

    @classmethod
    def train(cls, data: TrainingSet, vectors: npt.NDArray[np.float32], *, key: str, c: float = 1.0,
              folds: int = 5, seed: int = 0) -> ToolModel:
        """Fit on everything; fit the temperature on held-out scores, each restricted to its agent's tools."""
        y = np.asarray(data.labels)
        counts = {label: int((y == label).sum()) for label in set(data.labels)}
        # Labels seen fewer times than there are folds stay in every training fold (never held out).
        rare = np.asarray([counts[label] < folds for label in data.labels])
        rows = np.flatnonzero(~rare)
        held: list[tuple[npt.NDArray[np.float64], int]] = []
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train_part, held_part in splitter.split(np.zeros(len(rows)), y[rows]):
            train_rows = np.concatenate([rows[train_part], np.flatnonzero(rare)])
            held_rows = rows[held_part]
            feats = _Features()
            fold = LinearSVC(C=c, random_state=seed).fit(feats.fit([data.texts[i] for i in train_rows], vectors[train_rows]), y[train_rows])
            scores = fold.decision_function(feats.transform([data.texts[i] for i in held_rows], vectors[held_rows]))
            classes = [str(k) for k in fold.classes_]
            for n, i in enumerate(held_rows):
                kept = [k for k, label in enumerate(classes) if label in data.allowed[i]]
                labels = [classes[k] for k in kept]
                if y[i] in labels and len(kept) > 1:
                    held.append((np.asarray(scores[n][kept], dtype=np.float64), labels.index(y[i])))
        features = _Features()
        classifier = LinearSVC(C=c, random_state=seed).fit(features.fit(data.texts, vectors), y)
        return cls(features, classifier, _fit_temperature(held), key)

    def probabilities(self, text: str, vector: npt.NDArray[np.float32], allowed: frozenset[str]) -> dict[str, float]:
        """P(label) for one request over the allowed labels (see `choices`): the classifier's scores restricted
        to them, through a softmax at the held-out temperature; sums to 1."""
        permitted = allowed
        row = self._scores(text, vector)
        kept = [k for k, label in enumerate(self.classes) if label in permitted]
        probs = _softmax(row[kept], self.temperature)
        return {self.classes[k]: float(p) for k, p in zip(kept, probs, strict=True)}

    def _scores(self, text: str, vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """The classifier's decision scores for one text, each view's part of the weights applied on its own
        (the same numbers as decision_function on the joined features, without building them)."""
        coef = self.classifier.coef_
        dense = vector.shape[-1]
        split = dense + len(self.features.words.vocabulary_)
        row = coef[:, :dense] @ vector.reshape(-1).astype(np.float64)
        for start, view in ((dense, self.features.words), (split, self.features.chars)):
            columns, weights = _tfidf(view, text)
            if len(columns):
                row = row + coef[:, start + columns] @ weights
        result: npt.NDArray[np.float64] = row + self.classifier.intercept_
        return result
