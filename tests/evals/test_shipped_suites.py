"""The shipped suites of both splits, offline, held to evals/floors.toml: a score that regresses
(or wrong_write that rises over its ceiling) fails the build.

The suites of evals/suites/dev (tuned against) and evals/suites/test (frozen) run in one pass on
two workers, on the session's Postgres and embedding model, in a database of their own; the
routing-only cases are answered by the router without a run. The full JSON report is left in the
test's tmp_path for a look at what failed (`brain eval --compare` reads it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from evals import report
from evals.case import check_references, load_suites, suite_name
from evals.floors import check_floors, load_floors, load_moment
from evals.runner import EvalOptions, run_suite
from memory.embeddings import MiniLMEmbedder
from tests.conftest import REPO
from tests.evals.conftest import open_eval_brain

SUITES = REPO / "evals" / "suites"
FLOORS = REPO / "evals" / "floors.toml"
WORKERS = 2  # CI's cores


@pytest.mark.evals
@pytest.mark.timeout(1800)  # see evals/suites/README.md for its time on two cores; far more on a busy box
async def test_the_shipped_suites_stay_above_their_floors(pg_url: str, template_url: str, embedder: MiniLMEmbedder,
                                                          tmp_path: Path) -> None:
    floors = load_floors(FLOORS)
    paths = sorted(SUITES.glob("*/*.jsonl"))
    assert {p.parent.name for p in paths} == {"dev", "test"}, f"the suites of {SUITES} lie in its dev/ and test/ folders"
    assert sorted(floors) == [f"{p.parent.name}/{p.stem}" for p in paths], \
        f"every suite in {SUITES} has a table in {FLOORS} ([dev.routing], ...), and only those"
    cases = load_suites(paths)
    async with open_eval_brain(pg_url, embedder, tmp_path / "brain") as brain:
        check_references(cases, brain.agents.ids(), brain.tools.ids())
        run = await run_suite(brain, cases, EvalOptions(workers=WORKERS, now=load_moment(FLOORS)),
                              suites=[suite_name(p) for p in paths])
    data = report.summarize(run)
    path = tmp_path / "eval-report.json"
    report.write_json(data, path)
    check = check_floors(data, floors)
    assert not check.unmeasured, "\n".join(check.unmeasured)
    assert check.passed, (f"{len(check.under)} score(s) under their floors in {FLOORS.relative_to(REPO)}:\n"
                          + "\n".join(f"  {s}" for s in check.under) + f"\nthe full report: {path}")
