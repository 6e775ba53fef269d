"""`brain eval`: run eval suites, compare reports, simulate a draft policy, gate on floors."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from bootstrap import open_brain
from evals import compare as comparing
from evals import floors as floor_file
from evals import policy_sim, report
from evals.case import SuiteCase, SuiteError, check_references, load_suites, suite_name
from evals.runner import EvalOptions, run_suite
from evals.scorers import LOWER_IS_BETTER
from runtime import clock
from runtime.logging import configure_logging
from runtime.settings import load_settings

console = Console()

FLOOR_HELP = "exit non-zero when the {} rate (0..1) is under this"


SUITES = typer.Argument(None, help="suite files in the format of EVAL_FORMAT.md (JSON Lines)", show_default=False)
JSON_PATH = typer.Option(None, "--json", help="write the full report as JSON here")
HTML_PATH = typer.Option(None, "--html", help="write a self-contained HTML report with charts here")
COMPARE = typer.Option(None, "--compare", metavar="OLD.json NEW.json", help="print what got better and worse between two JSON reports")
POLICY = typer.Option(None, "--policy", metavar="DRAFT.yaml", help="replay the suites under a draft global policy and count approvals")
FLOORS = typer.Option(None, "--floors", metavar="FLOORS.toml",
                      help="per-suite floors (evals/floors.toml): exit non-zero when a suite's score is under its floor")


def _floor(option: str, score: str) -> Any:
    return typer.Option(None, f"--min-{option}", min=0.0, max=1.0, help=FLOOR_HELP.format(score))


def eval_command(
    suites: list[Path] | None = SUITES,
    workers: int = typer.Option(1, "--workers", min=1, help="cases run at the same time, each in its own sandbox namespace"),
    repeat: int = typer.Option(1, "--repeat", min=1, help="run each case k times; pass^k needs all k to pass"),
    model: str | None = typer.Option(None, "--model", help="any litellm model name; default: the offline planner"),
    json_path: Path | None = JSON_PATH,
    html_path: Path | None = HTML_PATH,
    min_route1: float | None = _floor("route1", "route@1"),
    min_route3: float | None = _floor("route3", "route@3"),
    min_action: float | None = _floor("action", "action match"),
    min_decision: float | None = _floor("decision", "decision match"),
    min_state: float | None = _floor("state", "state match"),
    min_refusal: float | None = _floor("refusal", "refusal"),
    max_wrong_write: float | None = typer.Option(
        None, "--max-wrong-write", min=0.0, max=1.0,
        help="exit non-zero when the share (0..1) of cases with a planned write they do not expect is over this"),
    floors_path: Path | None = FLOORS,
    compare: tuple[Path, Path] | None = COMPARE,
    policy: Path | None = POLICY,
    limit: int | None = typer.Option(None, "--limit", min=1, help="run only the first N cases (over all suites)"),
    now: str | None = typer.Option(None, "--now", metavar="ISO",
                                   help="read the cases' time words (tomorrow, next Friday) at this moment, for suites "
                                        "whose expected dates were written on a given day: 2026-11-25T12:00:00Z (default: the "
                                        "--floors file's `now`, else the wall clock)"),
) -> None:
    """Score agent accuracy: route@1, route@3, action, decision, state, refusal, wrong_write and pass^k,
    per split (evals/suites/dev and test) when the suites come from them, and the calibration (ECE) of
    the gate's confidence.

    Each case runs against its own sandbox states: the demo data with the case's `setup` on top (a setup object replaces the demo object of the same name). Approvals are granted by a super_admin of the case's tenant, so the state after the run can be compared.
    """
    if compare is not None:
        if suites:
            _fail("give either suite files or --compare OLD NEW, not both")
        _compare(*compare)
        return
    if not suites:
        _fail("name at least one suite file (e.g. evals/suites/routing.jsonl), or use --compare OLD NEW")
    try:
        cases = load_suites(suites)
    except SuiteError as exc:
        _fail("\n".join(exc.problems))
    if limit is not None:
        cases = cases[:limit]
    suite_floors: floor_file.Floors | None = None
    if floors_path is not None:
        try:
            suite_floors = floor_file.load_floors(floors_path)
        except floor_file.FloorsError as exc:
            _fail(str(exc))
    draft = None
    if policy is not None:
        try:
            draft = policy_sim.load_policy(policy)
        except policy_sim.PolicyFileError as exc:
            _fail(str(exc))
    try:
        moment = clock.parse_moment(now) if now is not None else None
    except ValueError as exc:
        _fail(f"--now: {exc}")
    if moment is None and floors_path is not None:
        moment = floor_file.load_moment(floors_path)
    options = EvalOptions(workers=workers, repeat=repeat, mode=model or "offline", now=moment)
    floors = {"route@1": min_route1, "route@3": min_route3, "action": min_action, "decision": min_decision,
              "state": min_state, "refusal": min_refusal, "wrong_write": max_wrong_write}
    data = asyncio.run(_run(cases, [suite_name(p) for p in suites], options, model, draft, policy))
    if json_path is not None:
        report.write_json(data, json_path)
        console.print(f"JSON report: {json_path}")
    if html_path is not None:
        report.write_html(data, html_path)
        console.print(f"HTML report: {html_path}")
    _check_floors(data, floors, suite_floors)


async def _run(cases: list[SuiteCase], suites: list[str], options: EvalOptions, model: str | None,
               draft: Any, draft_path: Path | None) -> dict[str, Any]:
    settings = load_settings(**({"model": model} if model else {}))
    # A failing tool is part of what a case records; its warning would only break the progress bar.
    configure_logging("ERROR" if settings.log_level.upper() in ("WARNING", "WARN") else settings.log_level)
    with console.status("starting the Brain (database, agents, router)..."):
        brain = await open_brain(settings)
    try:
        try:
            check_references(cases, brain.agents.ids(), brain.tools.ids())
        except SuiteError as exc:
            _fail("\n".join(exc.problems))
        trials = len(cases) * options.repeat
        if draft is None:
            with report.progress_bar(console, trials) as done:
                run = await run_suite(brain, cases, options, done, suites)
            data = report.summarize(run)
            report.render(data, console)
            return data
        with report.progress_bar(console, 2 * trials) as done:
            sim = await policy_sim.simulate(brain, cases, draft, options, draft_path=str(draft_path), on_trial=done)
        data = report.summarize(sim.draft)
        data["policy_simulation"] = sim.as_dict()
        report.render(data, console)
        policy_sim.render(sim, console)
        return data
    finally:
        await brain.close()


def _compare(old: Path, new: Path) -> None:
    try:
        result = comparing.compare(comparing.load_report(old), comparing.load_report(new))
    except comparing.ReportError as exc:
        _fail(str(exc))
    comparing.render(result, console)


def _check_floors(data: dict[str, Any], floors: dict[str, float | None], suite_floors: floor_file.Floors | None) -> None:
    """The --min-* options against the whole run, then the --floors file against each suite."""
    under = []
    for name, floor in floors.items():
        if floor is None:
            continue
        rate = data["scores"][name]["rate"]
        if rate is None:
            console.print(f"[yellow]warning:[/] no case asks for {name}; its floor {floor:.2f} was not checked")
        elif name in LOWER_IS_BETTER and rate > floor:
            under.append(f"{name} is {rate:.3f}, over its ceiling {floor:.3f}")
        elif name not in LOWER_IS_BETTER and rate < floor:
            under.append(f"{name} is {rate:.3f}, under its floor {floor:.3f}")
    if suite_floors is not None:
        check = floor_file.check_floors(data, suite_floors)
        for note in check.unmeasured:
            console.print(Text("warning: ", style="yellow") + Text(note))
        if check.unfloored:
            console.print(Text("note: ", style="yellow") + Text(f"no floors for {', '.join(check.unfloored)} in the floors file"))
        under += [str(shortfall) for shortfall in check.under]
    for line in under:
        console.print(Text("under the floor: ", style="red") + Text(line))
    if under:
        raise typer.Exit(1)


def _fail(message: str) -> NoReturn:
    console.print(Text("error: ", style="red") + Text(message))
    raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add `brain eval` to the command line."""
    app.command("eval")(eval_command)
