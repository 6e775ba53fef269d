"""Real worker processes killed with SIGKILL at random points (routing, planning, gating, waiting,
executing, checkpointing, resuming) while they hold runs against the sandbox systems, on both
engines (lease workers; Temporal workers with a dev server). Afterwards every run has reached a
final state (its approvals answered as they came): 0 runs lost, 0 tool calls executed twice,
counted in the ledger and in the sandbox Saleor's own products.

The small version runs in the default pytest run; `make faults` runs the long one (marker
`faults`): more runs and kills, the API (`brain serve --no-worker`) killed once, Postgres restarted
once and (Temporal) the Temporal server restarted once while runs are in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from api.auth import mint_token
from api.settings import ApiSettings
from bootstrap import open_brain
from memory.onnx_minilm import OnnxMiniLMEmbedder
from runtime.brain import Brain
from runtime.runs import RunStateConflict
from runtime.settings import Settings
from sandbox.saleor import SaleorStore
from tests.engine.devserver import DevServer
from tests.faults.fleet import Fleet, Zygote, failed_runs, ledger_results, ledger_twice, run_states
from tests.runtime.helpers import ACTOR, APPROVE_ALL

WRITE = "add a product called Fault Mug {n} priced 12 USD to the store"
READ = "what's the weather in Paris tomorrow?"
JWT_SECRET = "fault-suite-secret-0123456789abcdef0123"
UNFINISHED = ("queued", "running", "resuming", "waiting")


def request_of(n: int) -> str:
    return READ if n % 4 == 3 else WRITE.format(n=n)


def fault_env(settings: Settings, engine: dict[str, str], lease: float = 5.0) -> dict[str, str]:
    """A worker's (and the API's) environment: the test's database and home, the engine's settings."""
    return dict(BRAIN_HOME=str(settings.home), BRAIN_DATABASE_URL=str(settings.database_url),
                BRAIN_SPECS_DIR=str(settings.specs_dir), BRAIN_RUN_LEASE_SECONDS=str(lease),
                BRAIN_WORKER_POLL_SECONDS="0.25", BRAIN_LOG_LEVEL="INFO", FAULT_WORKER_CONCURRENCY="2",
                BRAIN_JWT_SECRET=JWT_SECRET, BRAIN_API_EXPIRE_INTERVAL_SECONDS="0",
                BRAIN_API_SCHEDULER_INTERVAL_SECONDS="0", BRAIN_API_RATE_LIMIT_PER_MINUTE="0", **engine)


@contextlib.asynccontextmanager
async def approver_brain(settings: Settings, db_url: str, embedder: OnnxMiniLMEmbedder,
                         engine: dict[str, str]) -> AsyncIterator[Brain]:
    """The test's own Brain (the person approving), on the workers' engine: with Temporal its answers
    reach the runs' workflows as signals."""
    update = {"temporal_address": engine.get("BRAIN_TEMPORAL_ADDRESS"),
              "temporal_task_queue": engine.get("BRAIN_TEMPORAL_TASK_QUEUE", "brain-runs")}
    brain = await open_brain(settings.model_copy(update=update), embedder=embedder, url=db_url)
    try:
        yield brain
    finally:
        await brain.close()


async def approve_waiting(brain: Brain, stop: asyncio.Event) -> None:
    """People answering every approval as it appears (several at once); the workers resume the runs."""

    async def answer(run_id: str) -> None:
        with contextlib.suppress(RunStateConflict):
            await brain.answer_approval(run_id, ACTOR, APPROVE_ALL, drive=False)

    while not stop.is_set():
        try:
            rows = await brain.pending_approvals(ACTOR)
            for outcome in await asyncio.gather(*(answer(str(r["run_id"])) for r in rows[:8]), return_exceptions=True):
                if isinstance(outcome, Exception):
                    raise outcome
        except Exception as exc:  # Postgres restarting under us: try again
            print(f"approver: {type(exc).__name__}: {exc}")
        await asyncio.sleep(0.1)


async def settle(brain: Brain, owner_url: str, seconds: float) -> Counter[str]:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(Exception):
            states = await run_states(owner_url)
            if not any(states[s] for s in UNFINISHED) or time.monotonic() > deadline:
                return states
        await asyncio.sleep(0.25)


def products(brain: Brain) -> Counter[str]:
    store = SaleorStore(persist_path=brain.clients.store_path("saleor", "demo"))
    return Counter(p["name"] for p in store.dump()["products"])


async def check(brain: Brain, owner_url: str, runs: int, states: Counter[str], fleet: Fleet) -> dict[str, Any]:
    """0 runs lost, 0 calls twice: the ledger and the sandbox's products agree."""
    made = products(brain)
    twice_ledger = await ledger_twice(owner_url)
    twice_sandbox = {name: n for name, n in made.items() if name.startswith("Fault Mug") and n > 1}
    results = [r for r in await ledger_results(owner_url) if r["tool"] == "saleor.product_create"]
    missing = [r["args"]["name"] for r in results if r["outcome"] == "ok" and made[r["args"]["name"]] != 1]
    unknown = [r for r in results if r["outcome"] == "error"]
    summary = {"runs": runs, "states": dict(states), "kills": len(fleet.kills), "kill_points": dict(Counter(fleet.kills)),
               "calls_twice_ledger": len(twice_ledger), "calls_twice_sandbox": len(twice_sandbox),
               "created_ok": len(results) - len(unknown), "outcome_unknown_after_kill": len(unknown),
               "failed_because": await failed_runs(owner_url)}
    print("fault suite:", json.dumps(summary))
    assert sum(states.values()) == runs, summary
    assert not any(states[s] for s in UNFINISHED), summary  # 0 runs lost or stranded
    assert states["done"] == runs, summary  # and none failed
    assert twice_ledger == [] and twice_sandbox == {}, summary
    assert missing == [], missing  # every call the ledger says succeeded made exactly one product
    return summary


async def open_workflows(brain: Brain, engine: dict[str, str], seconds: float = 60) -> int:
    """Temporal: workflows of the test's queue still running (0 once every run has ended)."""
    if engine["FAULT_ENGINE"] != "temporal":
        return 0
    client = await brain.starter.client()
    query = f'TaskQueue = "{brain.starter.queue()}" AND ExecutionStatus = "Running"'
    deadline = time.monotonic() + seconds
    while True:
        left = [w.id async for w in client.list_workflows(query)]
        if not left or time.monotonic() > deadline:
            return len(left)
        await asyncio.sleep(0.5)


async def kill_for(fleet: Fleet, rng: random.Random, kills: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while len(fleet.kills) < kills and time.monotonic() < deadline:
        if await fleet.kill_busy(rng) is None:
            await asyncio.sleep(0.03)


@pytest.mark.slow
async def test_workers_killed_at_random_points_lose_no_run_and_repeat_no_call(
    settings: Settings, db_url: str, embedder: OnnxMiniLMEmbedder, zygote: Zygote, engine: dict[str, str],
    tmp_path: Path,
) -> None:
    runs, kills = 8, 6
    rng = random.Random(14)
    quick = {**engine, "BRAIN_TEMPORAL_HEARTBEAT_SECONDS": "3"} if engine["FAULT_ENGINE"] == "temporal" else engine
    fleet = Fleet(zygote, fault_env(settings, quick, lease=2.0), tmp_path, db_url)
    stop = asyncio.Event()
    async with approver_brain(settings, db_url, embedder, engine) as brain:
        approver = asyncio.create_task(approve_waiting(brain, stop))
        try:
            await fleet.start(workers=3)
            for n in range(runs):
                await submit(brain, request_of(n), engine)
            await kill_for(fleet, rng, kills, seconds=90)
            states = await settle(brain, db_url, 120)
        finally:
            stop.set()
            await approver
            await fleet.stop()
        summary = await check(brain, db_url, runs, states, fleet)
        assert await open_workflows(brain, engine) == 0, summary
    assert summary["kills"] >= kills * 3 // 4, summary  # the machine may be too slow for every kill in time
    assert len(summary["kill_points"]) >= 2, summary  # routing, planning, gating, executing, resuming, ...


async def submit(brain: Brain, request: str, engine: dict[str, str]) -> str:
    """Record a run as the API does; with Temporal start its workflow as the API does."""
    run_id, _ = await brain.create_run(request, ACTOR)
    if engine["FAULT_ENGINE"] == "temporal":
        await brain.starter.poke(run_id)
    return run_id


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def restart_postgres(url: str) -> None:
    """Restart the test server (pgserver's own pg_ctl, as its system user): every connection drops."""
    import pgserver
    from pgserver._commands import pg_ctl

    host = re.search(r"host=([^&]+)", url)
    assert host is not None, url
    server = pgserver.get_server(Path(host.group(1)), cleanup_mode=None)  # type: ignore[attr-defined]
    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user, timeout=60)


async def submit_over_http(http: httpx.AsyncClient, token: str, n: int, deadline: float) -> None:
    """A client that retries until the API answers; its Idempotency-Key makes a retry the same task."""
    while True:
        try:
            response = await http.post("/tasks", json={"request": request_of(n)},
                                       headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"fault-{n}"})
            if response.status_code in (200, 202):
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"the API did not take task {n}")
        await asyncio.sleep(0.2)


@pytest.mark.faults
async def test_long_fault_run_with_the_api_killed_and_postgres_restarted(
    settings: Settings, db_url: str, pg_url: str, embedder: OnnxMiniLMEmbedder, zygote: Zygote,
    engine: dict[str, str], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    async with approver_brain(settings, db_url, embedder, engine) as brain:
        await _long_fault_run(brain, settings, db_url, pg_url, zygote, engine, request, tmp_path)


async def _long_fault_run(brain: Brain, settings: Settings, db_url: str, pg_url: str, zygote: Zygote,
                          engine: dict[str, str], request: pytest.FixtureRequest, tmp_path: Path) -> None:
    runs, kills = 150, 100
    rng = random.Random(1402)
    fleet = Fleet(zygote, fault_env(settings, engine), tmp_path, db_url)
    port = _free_port()
    token = mint_token(ApiSettings(jwt_secret=SecretStr(JWT_SECRET)), user="dana", tenant="demo", role="operator")
    stop = asyncio.Event()
    approver = asyncio.create_task(approve_waiting(brain, stop))
    try:
        await fleet.start(workers=4)
        await fleet.spawn_api(port)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}/api/brain", timeout=10) as http:
            first = [submit_over_http(http, token, n, time.monotonic() + 300) for n in range(runs // 2)]
            await asyncio.gather(*first)
            await kill_for(fleet, rng, kills // 3, seconds=300)
            fleet.kill_api()  # with runs in flight; the clients retry against the restarted API
            await fleet.spawn_api(port)
            rest = [submit_over_http(http, token, n, time.monotonic() + 300) for n in range(runs // 2, runs)]
            await asyncio.gather(*rest)
            await kill_for(fleet, rng, 2 * kills // 3, seconds=300)
            await asyncio.to_thread(restart_postgres, pg_url)
            if engine["FAULT_ENGINE"] == "temporal":
                await kill_for(fleet, rng, 5 * kills // 6, seconds=300)
                server: DevServer = request.getfixturevalue("temporal_server")
                await asyncio.to_thread(server.restart)  # workflows and timers are in its SQLite file
            await kill_for(fleet, rng, kills, seconds=300)
        states = await settle(brain, db_url, 600)
    finally:
        stop.set()
        await approver
        await fleet.stop()
    summary = await check(brain, db_url, runs, states, fleet)
    summary["open_workflows"] = await open_workflows(brain, engine, seconds=300)
    print("fault suite:", engine["FAULT_ENGINE"], json.dumps(summary))
    assert summary["open_workflows"] == 0, summary
    assert summary["kills"] >= kills, summary
    assert len(summary["kill_points"]) >= 5 and "executing" in summary["kill_points"], summary
