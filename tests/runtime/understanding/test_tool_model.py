"""The trained tool classifier (understanding/tool_model.py) and the per-call confidence built on it
(understanding/confidence.py), on small invented training sets and the real MiniLM embedder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agents.registry import load_specs
from memory.onnx_minilm import OnnxMiniLMEmbedder
from runtime.planner.base import Plan, PlannedCall, PlanningContext
from runtime.understanding.confidence import Understanding, call_confidence
from runtime.understanding.tool_model import (
    ANSWER,
    READ,
    Example,
    ToolModel,
    TrainingSet,
    choices,
    label_of,
    load_examples,
    training_key,
    training_set,
)
from tools.registry import default_registry

TOOLS = default_registry()
SPECS = {spec.id: spec for spec in load_specs()}

REFUND = ["pay the buyer of order {n} back, the lid cracked", "refund order {n} in full",
          "give order {n} its money back", "order {n} arrived broken, return the payment",
          "credit the shopper on order {n} for the damage", "reimburse order {n}, wrong size sent",
          "send the money for order {n} back to the customer", "order {n}: refund the shipping"]
CANCEL = ["cancel order {n}, the buyer changed their mind", "call off order {n}", "scrap order {n} before it ships",
          "order {n} is a duplicate, stop it", "void order {n}", "kill order {n}, payment bounced",
          "the customer on {n} no longer wants it, cancel", "please cancel {n}"]
LOOK = ["where is order {n}?", "status of order {n}", "has order {n} shipped yet", "show me order {n}",
        "what did order {n} contain", "look up order {n}", "is {n} paid?", "details of order {n} please"]


def _small_set() -> TrainingSet:
    texts, labels = [], []
    for label, phrasings in (("saleor.order_refund", REFUND), ("saleor.order_cancel", CANCEL), (READ, LOOK)):
        for n, text in enumerate(phrasings):
            texts.append(text.format(n=4100 + n))
            labels.append(label)
    allowed = frozenset({"saleor.order_refund", "saleor.order_cancel", READ, ANSWER})
    return TrainingSet(texts, labels, [allowed] * len(texts))


@pytest.fixture(scope="module")
def small(embedder: OnnxMiniLMEmbedder) -> tuple[ToolModel, OnnxMiniLMEmbedder]:
    data = _small_set()
    vectors = np.asarray(embedder.embed(data.texts), dtype=np.float32)
    return ToolModel.train(data, vectors, key=training_key(embedder.name, data), folds=4), embedder


def _probs(model: ToolModel, embedder: OnnxMiniLMEmbedder, text: str) -> dict[str, float]:
    allowed = frozenset({"saleor.order_refund", "saleor.order_cancel", READ, ANSWER})
    return model.probabilities(text, np.asarray(embedder.embed([text])[0], dtype=np.float32), allowed)


def test_an_unseen_paraphrase_gets_its_tool(small: tuple[ToolModel, OnnxMiniLMEmbedder]) -> None:
    model, embedder = small
    probs = _probs(model, embedder, "the parcel for order 9931 never came, give them their money back")
    assert max(probs, key=lambda k: probs[k]) == "saleor.order_refund"
    assert sum(probs.values()) == pytest.approx(1.0)
    looked = _probs(model, embedder, "can you show me the status of order 7781?")
    assert max(looked, key=lambda k: looked[k]) == READ
    assert model.temperature > 0


def test_probabilities_cover_only_the_allowed_labels(small: tuple[ToolModel, OnnxMiniLMEmbedder]) -> None:
    model, embedder = small
    vector = np.asarray(embedder.embed(["refund order 5"])[0], dtype=np.float32)
    probs = model.probabilities("refund order 5", vector, frozenset({"saleor.order_cancel", READ}))
    assert set(probs) == {"saleor.order_cancel", READ}
    assert sum(probs.values()) == pytest.approx(1.0)


def test_training_is_deterministic(small: tuple[ToolModel, OnnxMiniLMEmbedder]) -> None:
    model, embedder = small
    data = _small_set()
    again = ToolModel.train(data, np.asarray(embedder.embed(data.texts), dtype=np.float32), key="again", folds=4)
    text = "order 1234 should be refunded"
    assert _probs(again, embedder, text) == _probs(model, embedder, text)
    assert again.temperature == model.temperature


def test_label_is_the_first_change_else_read_else_answer() -> None:
    search = {"tool": "saleor.order_list", "args": {}}
    refund = {"tool": "saleor.order_refund", "args": {"order": "1"}}
    assert label_of([search, refund], TOOLS) == "saleor.order_refund"
    assert label_of([search], TOOLS) == READ
    assert label_of([], TOOLS) == ANSWER
    assert choices(["saleor.order_list", "saleor.order_refund"], TOOLS) == {"saleor.order_refund", READ, ANSWER}


def test_shipped_examples_name_their_agents_tools() -> None:
    examples = load_examples()
    assert len(examples) > 1000
    for example in examples:
        spec = SPECS[example.agent]
        assert all(call["tool"] in spec.tools for call in example.calls), example
    data = training_set(examples, list(SPECS.values()), TOOLS)
    assert len(data.texts) == len(examples) + len(TOOLS)


def test_a_bad_training_line_names_its_place(tmp_path: Path) -> None:
    (tmp_path / "mine.jsonl").write_text(json.dumps({"agent": "refund_processor", "text": "x", "calls": []}) + "\n{oops\n")
    with pytest.raises(ValueError, match=r"mine.jsonl:2"):
        load_examples(tmp_path)
    with pytest.raises(ValueError, match="unknown agent"):
        training_set([Example("nobody_here", "hello", ())], list(SPECS.values()), TOOLS)


def test_call_confidence_rises_with_evidence_and_classifier() -> None:
    weights = (0.0, 0.5, 1.0, 1.0)
    assert call_confidence(0.9, 0.9, True, weights) > call_confidence(0.9, 0.5, True, weights)
    assert call_confidence(0.9, 0.9, True, weights) > call_confidence(0.2, 0.9, True, weights)
    assert call_confidence(0.9, 0.9, True, weights) > call_confidence(0.9, 0.9, False, weights)
    assert 0.0 < call_confidence(0.0, 0.0, False, weights) < 1.0


def test_a_doubted_write_becomes_one_question(small: tuple[ToolModel, OnnxMiniLMEmbedder]) -> None:
    model, embedder = small
    ctx = PlanningContext(agent=SPECS["refund_processor"], request="can you show me the status of order 7781?", step=1,
                          results=[], route_confidence=0.9)
    plan = Plan(calls=[PlannedCall("1.0", "saleor.order_refund", {"order": "7781", "reason": "asked"})], confidence=0.8)
    doubting = Understanding(model, embedder.embed, weights=(0.0, 1.0, 0.0, 0.0), ask_below=0.5)
    asked = doubting.score(plan, ctx, TOOLS)
    assert not asked.calls and asked.answer is not None and "saleor.order_refund" in asked.answer
    trusting = Understanding(model, embedder.embed, weights=(0.0, 1.0, 0.0, 0.0), ask_below=0.0)
    kept = trusting.score(plan, ctx, TOOLS)
    assert [c.tool for c in kept.calls] == ["saleor.order_refund"]
    assert kept.calls[0].confidence is not None and kept.confidence == kept.calls[0].confidence
