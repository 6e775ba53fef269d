"""Write `agents/training/examples.jsonl`: each agent's own examples with the calls they should plan.

A one-off bootstrap, kept so the file can be rebuilt and reviewed: the calls come from the offline
planner's rules as they were when the trained pipeline took over (each example was written with its
rule), read at a fixed clock. Review the file like code; correct a line by hand when a rule was wrong.

    PYTHONPATH=$PWD python -m bench.annotate_examples
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from agents.registry import load_specs
from runtime import clock
from runtime.planner.base import PlanningContext
from runtime.planner.offline import OfflinePlanner
from tools.registry import default_registry

OUT = Path(__file__).resolve().parent.parent / "agents" / "training" / "examples.jsonl"
AT = datetime(2026, 1, 15, 12, tzinfo=UTC)


def main() -> None:
    planner = OfflinePlanner(default_registry())
    lines: list[str] = []
    with clock.pinned(AT):
        for spec in load_specs():
            for text in spec.examples:
                plan = planner.plan(PlanningContext(agent=spec, request=text, step=1, results=[]))
                calls = [{"tool": c.tool, "args": c.args} for c in plan.calls]
                lines.append(json.dumps({"agent": spec.id, "text": text, "calls": calls}, ensure_ascii=False,
                                        default=str))
    OUT.write_text("\n".join(lines) + "\n")
    print(f"{len(lines)} examples -> {OUT}")


if __name__ == "__main__":
    main()
