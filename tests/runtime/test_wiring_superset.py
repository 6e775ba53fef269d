"""Superset wired into the runtime: the SQL analyst reads the sandbox Superset through the tools.

Reads run without approval, so the run ends "done" in one pass; the ledger holds a decision, a
start and a result for each call.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from runtime.brain import Brain
from runtime.llm import ModelReply, use_model
from runtime.taint import QUOTE_CLOSE, QUOTE_OPEN
from runtime.testing.model import ScriptedModel, tool_step
from sandbox.superset import demo_tables
from tests.runtime.helpers import ACTOR, ledger_kinds

REQUEST = "Which sales channel had the most CoreLDove orders in 2025?"
SQL = ("SELECT channel, COUNT(*) AS orders FROM orders WHERE store = 'CoreLDove' AND order_date LIKE '2025%' "
       "GROUP BY channel ORDER BY orders DESC")


def tool_message(content: str) -> Any:
    """A tool result as the model sees it: JSON quoted as untrusted data."""
    assert content.startswith(QUOTE_OPEN) and content.endswith(QUOTE_CLOSE)
    return json.loads(content.removeprefix(QUOTE_OPEN).removesuffix(QUOTE_CLOSE))


def answer_from_the_query(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None) -> ModelReply:
    """The model's last step: read the SQL result it was given and say what it shows."""
    result = tool_message(messages[-1]["content"])["result"]
    top = result["rows"][0]
    return ModelReply(text=f"{top['channel']} led 2025 with {top['orders']} orders (query {result['query_id']}).")


async def test_sql_data_analyst_answers_from_superset(brain: Brain) -> None:
    model = ScriptedModel([
        tool_step(("superset.dataset_list", {"query": "orders", "database": "analytics"})),
        tool_step(("superset.sql_query", {"database": "analytics", "sql": SQL, "limit": 10})),
        answer_from_the_query,
    ])
    with use_model(model):
        out = await brain.submit(REQUEST, ACTOR, agent_hint="sql_data_analyst")
    model.assert_complete()

    counts = Counter(o["channel"] for o in demo_tables()["orders"].dicts()
                     if o["store"] == "CoreLDove" and o["order_date"].startswith("2025"))
    channel, orders = counts.most_common(1)[0]
    assert out.status == "done"
    assert out.answer == f"{channel} led 2025 with {orders} orders (query 1)."
    assert out.route is not None and out.route["agent"] == "sql_data_analyst"
    assert {t["function"]["name"] for t in model.calls[0].tools or []} == {"superset__dataset_list",
                                                                         "superset__sql_query"}
    datasets = tool_message(model.calls[1].messages[-1]["content"])["result"]
    assert {d["name"] for d in datasets["datasets"]} == {"orders", "customer_orders"}
    assert await ledger_kinds(brain, out.run_id) == [
        ("1.0", "decision", "auto"), ("1.0", "started", None), ("1.0", "result", "ok"),
        ("2.0", "decision", "auto"), ("2.0", "started", None), ("2.0", "result", "ok"),
    ]
    entries = [e for e in await brain.ledger.for_run(out.run_id) if e["kind"] == "started"]
    assert [e["tool"] for e in entries] == ["superset.dataset_list", "superset.sql_query"]
    assert (await brain.runs.get(out.run_id))["status"] == "done"
