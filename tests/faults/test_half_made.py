"""Multi-step writes killed with SIGKILL at random points inside the tool's handler, then retried
as the executor retries a resumable call: afterwards every object is whole (0 half-made), counted
from the sandbox Saleor's and Wagtail's own persisted state.

The kinds: a Saleor product with its variant, listing and price (one productBulkCreate), a new
variant with its price, a collection and its channel listing, a voucher and its channel values,
a Wagtail translation (copy, then its content). The short run is in the default pytest run; the
long one (`faults` marker, `make faults`) kills each kind many more times.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.half_made import KINDS, Stores, call_of, census, make_source_page, run_call

REPO = Path(__file__).resolve().parents[2]
# Writes each kind makes when nothing is there yet: the kill lands before or after one of them.
WRITES = {"product": 1, "variant": 1, "collection": 2, "voucher": 2, "translation": 2}


class Zygote:
    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.faults.half_made_zygote"], cwd=REPO, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def kill_inside(self, stores: Stores, tool: str, args: dict[str, Any], kill_at: int, after: bool) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        job = {"saleor": str(stores.saleor), "wagtail": str(stores.wagtail), "tool": tool, "args": args,
               "kill_at": kill_at, "after": after}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def zygote() -> Iterator[Zygote]:
    made = Zygote()
    yield made
    made.close()


def crash_and_retry(zygote: Zygote, folder: Path, runs: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    stores = Stores.seeded(folder)
    sources = {n: asyncio.run(make_source_page(stores, n)) for n in range(runs)}
    endings: dict[str, int] = {}
    for n in range(runs):
        for kind in KINDS:
            tool, args = call_of(kind, n, sources[n])
            ending = zygote.kill_inside(stores, tool, args, rng.randint(1, WRITES[kind]), rng.random() < 0.5)
            endings[ending] = endings.get(ending, 0) + 1
    before = census(stores, range(runs))
    for n in range(runs):
        for kind in KINDS:
            tool, args = call_of(kind, n, sources[n])
            asyncio.run(run_call(stores, tool, args))  # the executor's retry of a resumable call
    return {"endings": endings, "before": before, "after": census(stores, range(runs))}


def assert_all_whole(outcome: dict[str, Any], runs: int) -> None:
    print(json.dumps(outcome))
    assert outcome["endings"] == {"killed": runs * len(KINDS)}
    assert outcome["after"] == {kind: {"whole": runs, "half": 0, "absent": 0} for kind in KINDS}
    # The kills did land between steps: without the repair these would stay half-made.
    assert sum(outcome["before"][k]["half"] for k in ("collection", "voucher", "translation")) > 0
    assert outcome["before"]["product"]["half"] == outcome["before"]["variant"]["half"] == 0  # one mutation each


def test_killed_multi_step_writes_are_whole_after_the_retry(zygote: Zygote, tmp_path: Path) -> None:
    assert_all_whole(crash_and_retry(zygote, tmp_path, runs=2, seed=18), runs=2)


@pytest.mark.faults
def test_many_kills_inside_multi_step_writes_leave_nothing_half_made(zygote: Zygote, tmp_path: Path) -> None:
    for seed in range(5):
        assert_all_whole(crash_and_retry(zygote, tmp_path / str(seed), runs=20, seed=seed), runs=20)
