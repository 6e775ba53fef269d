"""The parent of the fault suite's worker processes: it imports the Brain once, then forks one real
`brain worker` process per line it reads on stdin and answers with the new worker's pid. A worker
started from scratch spends 10-30 s importing torch and the model code on a busy 2-core machine; a
fork of this warm parent starts in about a second, so the suite can kill workers with SIGKILL as
often as it needs. The parent never touches the database, starts no thread and runs no model before
forking: every child opens its own Brain. One parent serves every test of a session: each line
carries the child's environment (its database, engine, Temporal server), applied after the fork.

stdin lines (JSON): {"log": PATH, "env": {...}} forks a worker (`brain worker --engine $FAULT_ENGINE`);
with "api": PORT it forks the API (`brain serve --no-worker`).
"""

from __future__ import annotations

import json
import os
import signal
import sys

from bootstrap import open_brain
from cli.worker_commands import worker
from runtime.brain import load_catalog


def _reap(*_: object) -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _child(order: dict[str, object]) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # its own session: a kill of the worker touches nothing else
    env = order.get("env") or {}
    assert isinstance(env, dict)
    for name in [n for n in os.environ if n.startswith("BRAIN_")]:
        del os.environ[name]
    os.environ.update({str(k): str(v) for k, v in env.items()})
    fd = os.open(str(order["log"]), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    try:
        port = order.get("api")
        if isinstance(port, int):
            _api(port)
        else:
            worker(concurrency=int(os.environ.get("FAULT_WORKER_CONCURRENCY", "2")), once=False, expire_interval=0,
                   engine_name=os.environ.get("FAULT_ENGINE") or None)
    finally:
        os._exit(0)


def _api(port: int) -> None:
    """`brain serve --no-worker` on a loopback port: the API records runs and answers, workers execute."""
    import uvicorn

    from api.app import create_app
    from api.settings import load_api_settings
    from runtime.brain import Brain
    from runtime.logging import configure_logging
    from runtime.settings import load_settings

    settings = load_settings()
    configure_logging(settings.log_level)

    async def open_for_api() -> Brain:
        return await open_brain(settings)

    uvicorn.run(create_app(open_for_api, load_api_settings(), worker=False), host="127.0.0.1", port=port,
                log_level="warning")


def main() -> None:
    load_catalog()  # parsed once here; every child inherits it
    signal.signal(signal.SIGCHLD, _reap)
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        order = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(order)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
