"""Load bench: `brain serve` on loopback under 10, 100 and 1,000 concurrent users.

    .venv/bin/python -m bench.load [--levels 10,100,1000] [--seconds 10] [--workers 0]

Starts `brain serve` (and, with `--workers N`, N `brain worker` processes) on 127.0.0.1 with its
own state folder, then for each level: N async clients (httpx) each submit read-only tasks
(`POST /api/brain/tasks`) back to back for `--seconds`; then the same number of clients call
`GET /api/brain/health` for a few seconds (the HTTP ceiling of the same server, in the same run);
then up to `--drain` seconds for the submitted runs to finish, counted in Postgres. Every loop is
bounded in time and count; only loopback is contacted. Each level uses its own tenant.

Per level: users, submits_per_s, submit_p50_ms, submit_p99_ms, errors, completed_per_s, workers,
health_rps; written to bench/results/load-<date>.json. `--workers 0` means runs execute inside
the API process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.console import Console
from rich.table import Table

from api.auth import mint_token
from api.settings import load_api_settings
from runtime import db

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "/api/brain"
console = Console()
WORKER_COMMAND = "worker"  # `brain worker`: processes that execute queued runs
FINAL = ("done", "failed", "waiting", "cancelled")
REQUESTS = ("Where is order {n}?", "what is the status of order {n}", "show me order {n}", "has order {n} shipped")
ORDERS = ("1038", "1042", "1045", "1051", "1060", "1071", "1077", "1088", "1099", "1103")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def brain_command(*args: str) -> list[str]:
    """The `brain` command of this checkout, run by this Python (`brain ARGS`)."""
    return [sys.executable, "-c", "import sys; from cli.main import main; sys.argv[0] = 'brain'; main()", *args]


def has_command(name: str, env: dict[str, str]) -> bool:
    shown = subprocess.run(brain_command("--help"), capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    commands = {line.strip("│ ").split(" ")[0] for line in shown.stdout.splitlines() if line.strip("│ ")}
    return name in commands


@contextlib.contextmanager
def processes(commands: list[list[str]], env: dict[str, str], logs: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Start the processes (output to files under `logs`); stop them all at the end, SIGTERM then SIGKILL."""
    logs.mkdir(parents=True, exist_ok=True)
    started: list[subprocess.Popen[bytes]] = []
    try:
        for n, command in enumerate(commands):
            with (logs / f"process-{n}.log").open("wb") as out:
                started.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT))
        yield started
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in started:
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


async def wait_ready(client: httpx.AsyncClient, server: subprocess.Popen[bytes], within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"brain serve exited with {server.returncode}; see its log")
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(f"{PREFIX}/ready", timeout=2)).status_code == 200:
                return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"brain serve was not ready within {within:.0f} s")


async def submit_phase(client: httpx.AsyncClient, token: str, users: int, seconds: float, level: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    ids: list[str] = []
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    async def user(u: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            text = REQUESTS[n % len(REQUESTS)].format(n=ORDERS[(u + n) % len(ORDERS)]) + f" (l{level} u{u} #{n})"
            n += 1
            start = time.perf_counter()
            try:
                reply = await client.post(f"{PREFIX}/tasks", json={"request": text}, headers=headers, timeout=30)
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append((time.perf_counter() - start) * 1000)
            if reply.status_code in (200, 202):
                ids.append(reply.json()["id"])
            else:
                errors[str(reply.status_code)] = errors.get(str(reply.status_code), 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(user(u) for u in range(users)))
    elapsed = time.perf_counter() - started
    return {"submitted": len(ids), "elapsed_s": elapsed, "latencies": latencies, "errors": errors}


async def health_phase(client: httpx.AsyncClient, users: int, seconds: float) -> float:
    count = 0
    deadline = time.monotonic() + seconds

    async def user() -> None:
        nonlocal count
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{PREFIX}/health", timeout=30)).status_code == 200:
                    count += 1

    started = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(users)))
    return count / (time.perf_counter() - started)


async def finished(owner_url: str, tenant: str) -> tuple[int, int, float]:
    """(runs of the tenant, runs in a final state, seconds from the first created to the last finished)."""
    async with await psycopg.AsyncConnection.connect(owner_url, autocommit=True) as conn:
        cur = await conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = ANY(%s)),"
            " extract(epoch FROM max(updated_at) FILTER (WHERE status = ANY(%s)) - min(created_at))"
            " FROM runs WHERE tenant_id = %s", (list(FINAL), list(FINAL), tenant))
        row = await cur.fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), float(row[2] or 0.0)


async def level_run(base: str, owner_url: str, secret_env: dict[str, str], users: int, seconds: float,
                    health_seconds: float, drain: float, workers: int, run_tag: str) -> dict[str, Any]:
    tenant = f"load{users}-{run_tag}"
    os.environ.update(secret_env)
    token = mint_token(load_api_settings(), user="load", tenant=tenant, role="operator", ttl_seconds=3600)
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, limits=limits) as client:
        submits = await submit_phase(client, token, users, seconds, users)
        health = await health_phase(client, users, health_seconds)
    deadline = time.monotonic() + drain
    total, done, span = await finished(owner_url, tenant)
    while done < total and time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        total, done, span = await finished(owner_url, tenant)
    lat = submits["latencies"]
    return {
        "users": users, "workers": workers,
        "submits_per_s": round(submits["submitted"] / submits["elapsed_s"], 1),
        "submit_p50_ms": round(percentile(lat, 0.5), 1), "submit_p99_ms": round(percentile(lat, 0.99), 1),
        "submit_mean_ms": round(statistics.fmean(lat), 1) if lat else 0.0,
        "errors": sum(submits["errors"].values()), "error_kinds": submits["errors"],
        "submitted": submits["submitted"], "completed": done,
        "completed_per_s": round(done / span, 1) if span > 0 else 0.0,
        "health_rps": round(health, 1),
    }


async def main(levels: list[int], seconds: float, health_seconds: float, drain: float, workers: int,
               home: Path) -> dict[str, Any]:
    env = {**os.environ, "BRAIN_HOME": str(home), "BRAIN_LOG_LEVEL": "ERROR", "BRAIN_API_RATE_LIMIT_PER_MINUTE": "0",
           "PYTHONPATH": str(ROOT)}
    secret = {"BRAIN_JWT_SECRET": secrets.token_hex(32)}
    env.update(secret)
    if workers and not has_command(WORKER_COMMAND, env):
        raise SystemExit(f"--workers {workers}: this build has no `brain {WORKER_COMMAND}` command; "
                         "run with --workers 0 (runs execute in the API process)")
    owner_url = await asyncio.to_thread(db.resolve_url, None, home / "pgdata")  # the server the API joins
    port = free_port()
    commands = [brain_command("serve", "--host", "127.0.0.1", "--port", str(port))]
    commands += [brain_command(WORKER_COMMAND) for _ in range(workers)]
    run_tag = secrets.token_hex(3)
    results: list[dict[str, Any]] = []
    base = f"http://127.0.0.1:{port}"
    with processes(commands, env, home / "logs") as started:
        async with httpx.AsyncClient(base_url=base) as probe:
            ready_at = time.perf_counter()
            await wait_ready(probe, started[0], within=900)
            ready_s = time.perf_counter() - ready_at
        for users in levels:
            console.print(f"level {users} users: {seconds:.0f} s of submits, {health_seconds:.0f} s of /health ...")
            results.append(await level_run(base, owner_url, secret, users, seconds, health_seconds, drain, workers,
                                           run_tag))
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "levels": results, "seconds": seconds,
            "ready_s": round(ready_s, 1), "cores": os.cpu_count(), "load_avg": os.getloadavg(),
            "client": "httpx.AsyncClient, one process, on the same cores as the server"}


def show(report: dict[str, Any]) -> None:
    table = Table(title=f"brain serve under load ({report['seconds']:.0f} s per level, workers={report['levels'][0]['workers']})")
    columns = ("users", "submits/s", "submit p50 ms", "submit p99 ms", "errors", "completed/s", "completed", "health rps")
    for column in columns:
        table.add_column(column, justify="right")
    for row in report["levels"]:
        table.add_row(str(row["users"]), f"{row['submits_per_s']:.1f}", f"{row['submit_p50_ms']:.1f}",
                      f"{row['submit_p99_ms']:.1f}", str(row["errors"]), f"{row['completed_per_s']:.1f}",
                      f"{row['completed']}/{row['submitted']}", f"{row['health_rps']:.0f}")
    console.print(table)
    console.print(f"ready after {report['ready_s']} s; load average at the end {report['load_avg']}")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="10,100,1000", help="concurrent users per level, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds of submits per level")
    parser.add_argument("--health-seconds", type=float, default=3.0, help="seconds of GET /health per level")
    parser.add_argument("--drain", type=float, default=30.0, help="seconds to wait for submitted runs to finish")
    parser.add_argument("--workers", type=int, default=0, help="separate `brain worker` processes (0 = in the API process)")
    parser.add_argument("--home", type=Path, default=ROOT / ".brain" / "bench", help="state folder of the server (shared with bench.task_cost: the routing model is trained once)")
    parser.add_argument("--out", type=Path, default=None, help="JSON path (default bench/results/load-DATE.json)")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    if not levels or min(levels) < 1 or max(levels) > 5000:
        parser.error("--levels: between 1 and 5000 users each")
    if args.seconds > 60 or args.drain > 120:
        parser.error("--seconds at most 60 and --drain at most 120: the bench stays bounded")
    args.home.mkdir(parents=True, exist_ok=True)
    args.home.chmod(0o755)  # pgserver runs the server as its own user when we are root
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4 * max(levels) + 256:  # a socket per client, and the server's side of it
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * max(levels) + 256)), hard))
    report = asyncio.run(main(levels, args.seconds, args.health_seconds, args.drain, args.workers, args.home))
    show(report)
    out = args.out or ROOT / "bench" / "results" / f"load-{datetime.now(UTC).date().isoformat()}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"written: {out}")


if __name__ == "__main__":
    cli()
