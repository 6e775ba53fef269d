"""Refit the weights of runtime/understanding/confidence.py on an eval report's judged calls.

    BRAIN_PLAN_CONFIDENCE=rules brain eval evals/suites/dev/*.jsonl --floors evals/floors.toml --json rules.json
    PYTHONPATH=$PWD python -m bench.fit_confidence rules.json

The report must come from a run with the rules' constants (BRAIN_PLAN_CONFIDENCE=rules): each call's
confidence there is the rules' evidence, min(route, plan). The classifier is trained here on
agents/training/ with the offline MiniLM, as `brain` trains it. Prints the weights to paste into
WEIGHTS, with the expected calibration error in and out of sample (5-fold).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import KFold

from agents.registry import load_specs
from evals.normalize import subset_match
from memory.onnx_minilm import OnnxMiniLMEmbedder
from runtime.understanding.confidence import WEIGHTS, call_confidence
from runtime.understanding.tool_model import (
    READ,
    ToolModel,
    choices,
    load_examples,
    training_key,
    training_set,
)
from tools.registry import default_registry


def _logit(p: float) -> float:
    p = min(max(p, 1e-3), 1 - 1e-3)
    return math.log(p / (1 - p))


def ece(confidence: np.ndarray[Any, Any], right: np.ndarray[Any, Any], bins: int = 10) -> float:
    cells = np.minimum((confidence * bins).astype(int), bins - 1)
    return float(sum((cells == b).sum() / len(confidence) * abs(right[cells == b].mean() - confidence[cells == b].mean())
                     for b in range(bins) if (cells == b).any()))


def main(report_path: str) -> None:
    tools = default_registry()
    specs = {spec.id: spec for spec in load_specs()}
    risk = {tool.id: tool.risk.value for tool in tools}
    embedder = OnnxMiniLMEmbedder()
    data = training_set(load_examples(), list(specs.values()), tools)
    model = ToolModel.train(data, np.asarray(embedder.embed(data.texts), dtype=np.float32),
                            key=training_key(embedder.name, data))
    rows: list[tuple[float, float, float, int]] = []
    for case in json.loads(Path(report_path).read_text())["cases"]:
        actions = case["expect"].get("actions")
        run = case["trials"][0]["run"]
        if actions is None or run.get("routed_agent") not in specs or run["status"] == "error":
            continue
        vector = np.asarray(embedder.embed([case["request"]])[0], dtype=np.float32)
        probs = model.probabilities(case["request"], vector, choices(specs[run["routed_agent"]].tools, tools))
        expects_change = any(risk.get(a["tool"], "write") != "read" for a in actions)
        for call in run["calls"]:
            changes = call["risk"] != "read"
            if call.get("confidence") is None or (expects_change and not changes):
                continue
            right = any(a["tool"] == call["tool"] and subset_match(a.get("args", {}), call["args"]) for a in actions)
            label = call["tool"] if changes else READ
            rows.append((probs.get(label, 0.0), call["confidence"], float(changes), int(right)))
    x = np.asarray([[_logit(p), _logit(e), w] for p, e, w, _ in rows])
    y = np.asarray([r[3] for r in rows])
    held = np.zeros(len(y))
    for train, test in KFold(5, shuffle=True, random_state=0).split(x):
        held[test] = LogisticRegression().fit(x[train], y[train]).predict_proba(x[test])[:, 1]
    fit = LogisticRegression().fit(x, y)
    weights = (float(fit.intercept_[0]), *(float(v) for v in fit.coef_[0]))
    current = np.asarray([call_confidence(p, e, bool(w), WEIGHTS) for p, e, w, _ in rows])
    print(f"{len(y)} judged calls, {y.mean():.3f} right; the rules' evidence alone: ECE {ece(x[:, 1] * 0 + [r[1] for r in rows], y):.3f}")
    print(f"current WEIGHTS: ECE {ece(current, y):.3f}; refit: in-sample ECE {ece(fit.predict_proba(x)[:, 1], y):.3f}, "
          f"5-fold ECE {ece(held, y):.3f}, AUC {roc_auc_score(y, held):.3f}")
    print("WEIGHTS = (" + ", ".join(f"{w:.4f}" for w in weights) + ")")


if __name__ == "__main__":
    main(sys.argv[1])
