"""A warm parent for the crash suite's killed calls: it imports the adapters, the stand-ins and the
catalog once, then forks one child per JSON line on stdin; the child runs that tool call and is
killed from inside it (SIGKILL at its k-th write). The parent answers each line with how the
child ended: `killed` or `exit N`.

stdin lines: {"saleor": PATH, "wagtail": PATH, "tool": ID, "args": {...}, "kill_at": K, "after": BOOL}
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from sandbox.saleor.app import load_schema
from tests.faults.half_made import SPECS, Stores, run_call


def _child(job: dict[str, object]) -> None:
    os.setsid()
    stores = Stores(Path(str(job["saleor"])), Path(str(job["wagtail"])))
    try:
        asyncio.run(run_call(stores, str(job["tool"]), dict(job["args"]),  # type: ignore[call-overload]
                             kill_at=int(job["kill_at"]), after=bool(job["after"])))  # type: ignore[call-overload]
    except BaseException as exc:  # the call failed by itself (not killed): say so and end
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        os._exit(1)
    os._exit(0)


def main() -> None:
    load_schema(SPECS / "saleor" / "schema.graphql")  # parsed once; every child inherits it
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(job)
        _, status = os.waitpid(pid, 0)
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        print("killed" if killed else f"exit {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
