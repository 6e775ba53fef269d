"""The routing model: which agent fits a request, with a calibrated confidence.

A linear classifier over three views of the text (sentence embedding, word and character
TF-IDF), trained on the agents' purposes and examples plus hand-written out-of-scope requests
(the class NONE). Its confidence is calibrated on held-in data: cross-validated predictions on
the same examples, mapped to P(correct) by a logistic fit on the top score and its margin.

It knows nothing of how vectors are made: the caller hands in an `embed` function.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from agents.spec import AgentSpec

NONE = "__none__"  # the out-of-scope class: no agent fits
MODEL_VERSION = 2

Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidate:
    agent: str
    score: float


def training_set(specs: Sequence[AgentSpec], out_of_scope: Sequence[str]) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for spec in specs:
        for text in (spec.purpose, *spec.examples):
            texts.append(text)
            labels.append(spec.id)
    texts.extend(out_of_scope)
    labels.extend([NONE] * len(out_of_scope))
    return texts, labels


def training_key(embedder_name: str, texts: Sequence[str], labels: Sequence[str]) -> str:
    """Identifies a trained model: same embedder and same data give the same key."""
    body = json.dumps([MODEL_VERSION, embedder_name, list(texts), list(labels)])
    return hashlib.sha256(body.encode()).hexdigest()


class _Features:
    def __init__(self) -> None:
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)

    def fit(self, texts: Sequence[str], vectors: npt.NDArray[np.float32]) -> csr_matrix:
        return self._join(vectors, self.words.fit_transform(texts), self.chars.fit_transform(texts))

    def transform(self, texts: Sequence[str], vectors: npt.NDArray[np.float32]) -> csr_matrix:
        return self._join(vectors, self.words.transform(texts), self.chars.transform(texts))

    @staticmethod
    def _join(vectors: npt.NDArray[np.float32], words: csr_matrix, chars: csr_matrix) -> csr_matrix:
        return hstack([csr_matrix(vectors), words, chars]).tocsr()


def _top_and_margin(scores: Matrix) -> tuple[Matrix, Matrix]:
    part = -np.sort(-scores, axis=1)[:, :2]
    return part[:, 0], part[:, 0] - part[:, 1]


class RoutingModel:
    """Trained once per catalog (and embedder); cheap to apply to one request."""

    def __init__(self, features: _Features, classifier: LinearSVC, calibrator: LogisticRegression, key: str):
        self.features = features
        self.classifier = classifier
        self.calibrator = calibrator
        self.key = key
        self.classes: list[str] = [str(c) for c in classifier.classes_]

    @classmethod
    def train(
        cls, texts: Sequence[str], labels: Sequence[str], vectors: npt.NDArray[np.float32], *, key: str,
        c: float = 1.0, folds: int = 5, seed: int = 0,
    ) -> RoutingModel:
        """Fit the classifier on everything; fit the calibrator on cross-validated predictions."""
        y = np.asarray(labels)
        tops: list[float] = []
        margins: list[float] = []
        right: list[int] = []
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train_rows, held_rows in splitter.split(np.zeros(len(y)), y):
            feats = _Features()
            x_train = feats.fit([texts[i] for i in train_rows], vectors[train_rows])
            fold = LinearSVC(C=c).fit(x_train, y[train_rows])
            scores = fold.decision_function(feats.transform([texts[i] for i in held_rows], vectors[held_rows]))
            top, margin = _top_and_margin(scores)
            predicted = fold.classes_[np.argmax(scores, axis=1)]
            tops.extend(top.tolist())
            margins.extend(margin.tolist())
            right.extend((predicted == y[held_rows]).astype(int).tolist())
        calibrator = LogisticRegression().fit(np.column_stack([tops, margins]), np.asarray(right))
        features = _Features()
        classifier = LinearSVC(C=c).fit(features.fit(texts, vectors), y)
        return cls(features, classifier, calibrator, key)

    def scores(self, texts: Sequence[str], vectors: npt.NDArray[np.float32]) -> Matrix:
        result: Matrix = np.asarray(self.classifier.decision_function(self.features.transform(texts, vectors)))
        return result

    def confidence(self, top: float, margin: float) -> float:
        """P(the top class is right), as calibrated on held-in data."""
        return float(self.calibrator.predict_proba(np.asarray([[top, margin]]))[0, 1])

    def rank(self, text: str, vector: npt.NDArray[np.float32], k: int) -> list[Candidate]:
        """The k best classes for one request, NONE included, best first."""
        row = self.scores([text], vector.reshape(1, -1))[0]
        order = np.argsort(-row)[:k]
        return [Candidate(self.classes[i], float(row[i])) for i in order]
