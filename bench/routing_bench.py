"""Routing benchmark: accuracy on a routing suite, calibration, and latency of both route paths.

    .venv/bin/python -m bench.routing_bench [--suite evals/suites/routing.jsonl] [--runtime both|onnx|torch]

Starts its own embedded Postgres, trains (or loads) the routing model, routes every case,
prints tables and writes bench/results/routing-<date>.json. The LLM path is timed against a
respx-mocked OpenAI-compatible endpoint in the same run, so the two paths compare as a ratio.
With `--runtime both` (the default) MiniLM runs on ONNX Runtime and on torch in the same run, the
same trained model over both, and the table shows them side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DISABLE_AIOHTTP_TRANSPORT", "True")

import httpx
import respx
from rich.console import Console
from rich.progress import track
from rich.table import Table

from memory.embeddings import Embedder, MiniLMEmbedder
from memory.onnx_minilm import OnnxMiniLMEmbedder
from runtime import db
from runtime.brain import build_router, load_catalog
from runtime.llm import LiteLLMModel
from runtime.router import Router
from runtime.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
console = Console()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def load_suite(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def score(router: Router, cases: list[dict[str, Any]]) -> dict[str, Any]:
    route1 = route3 = in_scope = 0
    declined_oos = oos = declined_in = clarified = 0
    confusions: Counter[tuple[str, str]] = Counter()
    calibration: list[tuple[float, bool]] = []
    for case in track(cases, description="routing the suite", console=console):
        result = router.classify(case["request"])
        expect = case["expect"]
        if expect.get("refuse"):
            oos += 1
            declined_oos += result.decision == "decline"
            continue
        wanted = expect["agent"] if isinstance(expect["agent"], list) else [expect["agent"]]
        in_scope += 1
        top = result.candidates[0].agent if result.candidates else None
        right = result.decision == "route" and result.agent in wanted
        route1 += right
        route3 += any(c.agent in wanted for c in result.candidates[:3])
        declined_in += result.decision == "decline"
        clarified += result.decision == "clarify"
        if top is not None:
            calibration.append((result.confidence, top in wanted))
        if not right and top is not None and top not in wanted:
            confusions[(wanted[0], top)] += 1
    declines = declined_oos + declined_in
    bins = []
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        inside = [ok for conf, ok in calibration if low <= conf < low + 0.2 or (low == 0.8 and conf == 1.0)]
        confs = [conf for conf, _ in calibration if low <= conf < low + 0.2 or (low == 0.8 and conf == 1.0)]
        if inside:
            bins.append({"bin": f"{low:.1f}-{low + 0.2:.1f}", "n": len(inside), "mean_confidence": statistics.mean(confs),
                         "accuracy": sum(inside) / len(inside)})
    ece = sum(b["n"] * abs(b["mean_confidence"] - b["accuracy"]) for b in bins) / max(1, len(calibration))
    return {
        "cases": len(cases), "in_scope": in_scope, "out_of_scope": oos,
        "route@1": route1 / in_scope, "route@3": route3 / in_scope,
        "decline_recall": declined_oos / oos if oos else None,
        "decline_precision": declined_oos / declines if declines else None,
        "false_decline_rate": declined_in / in_scope, "clarify_rate": clarified / in_scope,
        "calibration": bins, "ece": ece,
        "worst_pairs": [{"expected": a, "routed": b, "count": n} for (a, b), n in confusions.most_common(12)],
    }


def latency(router: Router, requests: list[str]) -> dict[str, float]:
    """Index route latency, embedding included (each request new to the embedding cache), timed
    without a progress bar redrawing meanwhile; then the same requests again, from the cache."""
    getattr(router.embedder, "_cache", {}).clear()
    cold: list[float] = []
    for request in requests:
        start = time.perf_counter()
        router.classify(request)
        cold.append((time.perf_counter() - start) * 1000)
    cached: list[float] = []
    for request in requests:
        start = time.perf_counter()
        router.classify(request)
        cached.append((time.perf_counter() - start) * 1000)
    return {"p50": percentile(cold, 0.5), "p99": percentile(cold, 0.99),
            "cached_p50": percentile(cached, 0.5), "cached_p99": percentile(cached, 0.99)}


async def llm_path(router: Router, requests: list[str]) -> dict[str, float]:
    """The LLM route path (top-k to a model) against a mocked endpoint: overhead of our side."""
    model = LiteLLMModel("openai/gpt-4o-mini", api_base="http://llm.bench/v1", api_key="sk-bench")
    reply = {"id": "x", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
             "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": '{"agent": null}'}}],
             "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
    threshold = router.llm_threshold
    router.llm_threshold = 1.01  # every request takes the LLM path
    latencies: list[float] = []
    embedder = router.embedder
    try:
        with respx.mock() as mock:
            mock.post("http://llm.bench/v1/chat/completions").mock(return_value=httpx.Response(200, json=reply))
            for request in requests:
                getattr(embedder, "_cache", {}).clear()  # time the whole path, embedding included
                start = time.perf_counter()
                await router.route(request, model=model)
                latencies.append((time.perf_counter() - start) * 1000)
    finally:
        router.llm_threshold = threshold
    return {"p50": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99)}


def start_postgres() -> Any:
    """A throwaway embedded Postgres for this run (the folder readable by pgserver's own user)."""
    import pgserver

    folder = Path(tempfile.mkdtemp(prefix="brain-bench-"))
    folder.chmod(0o755)
    return pgserver.get_server(folder / "data", cleanup_mode="delete")


def make(runtime: str) -> Embedder:
    return OnnxMiniLMEmbedder() if runtime == "onnx" else MiniLMEmbedder()


async def main(suite: Path, llm_samples: int, runtimes: list[str]) -> dict[str, Any]:
    server = await asyncio.to_thread(start_postgres)
    url = str(server.get_uri())
    await db.migrate(url)
    pool = db.open_pool(url)
    await pool.open()
    try:
        settings = load_settings()
        _, agents = load_catalog()
        cases = load_suite(suite)
        reports: dict[str, dict[str, Any]] = {}
        for runtime in runtimes:
            embedder = make(runtime)
            start = time.perf_counter()
            router = await build_router(settings, pool, agents, embedder)  # trained once, loaded after
            report: dict[str, Any] = {"train_seconds": time.perf_counter() - start, "runtime": runtime}
            router.classify("warm up the model")
            report["latency_ms"] = latency(router, [c["request"] for c in cases])
            report.update(score(router, cases))
            report["llm_path_ms"] = await llm_path(router, [c["request"] for c in cases[:llm_samples]])
            report["llm_to_index_p50_ratio"] = report["llm_path_ms"]["p50"] / report["latency_ms"]["p50"]
            reports[runtime] = report
        main_report = dict(reports[runtimes[0]])
        main_report.update(suite=str(suite), agents=len(agents), runtimes=reports, load_avg=os.getloadavg())
        return main_report
    finally:
        await pool.close()
        server.cleanup()


def show(report: dict[str, Any]) -> None:
    runs = report["runtimes"]
    table = Table(title=f"routing: {report['suite']} ({report['in_scope']} in scope, {report['out_of_scope']} out)")
    table.add_column("measure")
    for runtime in runs:
        table.add_column(f"MiniLM on {runtime}", justify="right")
    table.add_column("target", justify="right")
    rows: list[tuple[str, Any, str]] = [
        ("route@1", lambda r: f"{r['route@1']:.3f}", ">= 0.92"), ("route@3", lambda r: f"{r['route@3']:.3f}", ">= 0.98"),
        ("decline recall", lambda r: f"{r['decline_recall']:.3f}", ">= 0.90"),
        ("decline precision", lambda r: f"{r['decline_precision']:.3f}", ""),
        ("in-scope declined", lambda r: f"{r['false_decline_rate']:.3f}", ""),
        ("in-scope clarified", lambda r: f"{r['clarify_rate']:.3f}", ""),
        ("calibration error (ECE)", lambda r: f"{r['ece']:.3f}", ""),
        ("index route p50 ms (new text)", lambda r: f"{r['latency_ms']['p50']:.2f}", "<= 5"),
        ("index route p99 ms (new text)", lambda r: f"{r['latency_ms']['p99']:.2f}", "<= 15"),
        ("index route p50 ms (text seen before)", lambda r: f"{r['latency_ms']['cached_p50']:.2f}", ""),
        ("index route p99 ms (text seen before)", lambda r: f"{r['latency_ms']['cached_p99']:.2f}", ""),
        ("LLM route p50 ms (mocked endpoint)", lambda r: f"{r['llm_path_ms']['p50']:.2f}", ""),
        ("LLM / index p50 ratio", lambda r: f"{r['llm_to_index_p50_ratio']:.1f}x", ""),
        ("training or loading seconds", lambda r: f"{r['train_seconds']:.1f}", ""),
    ]
    for name, cell, target in rows:
        table.add_row(name, *(cell(r) for r in runs.values()), target)
    console.print(table)
    console.print(f"load average during the run: {report['load_avg']}")
    cal = Table(title="calibration (confidence of the top agent vs how often it is right)")
    for name in ("confidence bin", "cases", "mean confidence", "accuracy"):
        cal.add_column(name)
    for b in report["calibration"]:
        cal.add_row(b["bin"], str(b["n"]), f"{b['mean_confidence']:.2f}", f"{b['accuracy']:.2f}")
    console.print(cal)
    worst = Table(title="most confused agent pairs")
    for name in ("expected", "routed to", "count"):
        worst.add_column(name)
    for pair in report["worst_pairs"]:
        worst.add_row(pair["expected"], pair["routed"], str(pair["count"]))
    console.print(worst)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", type=Path, default=ROOT / "evals" / "suites" / "routing.jsonl")
    parser.add_argument("--llm-samples", type=int, default=100)
    parser.add_argument("--runtime", choices=("both", "onnx", "torch"), default="both",
                        help="how MiniLM runs; both = ONNX Runtime and torch side by side")
    args = parser.parse_args()
    chosen = ["onnx", "torch"] if args.runtime == "both" else [args.runtime]
    result = asyncio.run(main(args.suite, args.llm_samples, chosen))
    show(result)
    out = ROOT / "bench" / "results" / f"routing-{datetime.now(UTC):%Y-%m-%d}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    console.print(f"wrote {out.relative_to(ROOT)}")
