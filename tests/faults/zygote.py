"""The parent of the fault suite's worker processes: it imports the Brain once, then forks one real
`brain worker` process per line it reads on stdin (the path of that worker's log file) and answers
with the new worker's pid. A worker started from scratch spends 10-30 s importing torch and the
model code on a busy 2-core machine; a fork of this warm parent starts in about a second, so the
suite can kill workers with SIGKILL as often as it needs. The parent never touches the database,
starts no thread and runs no model before forking: every child opens its own Brain.

stdin lines: `LOG` forks a worker, `api PORT LOG` forks the API (`brain serve --no-worker`).
"""

from __future__ import annotations

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


def _child(log_path: str, port: int | None) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # its own session: a kill of the worker touches nothing else
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    try:
        if port is not None:
            _api(port)
        else:
            worker(concurrency=int(os.environ.get("FAULT_WORKER_CONCURRENCY", "2")), once=False, expire_interval=0)
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
        words = line.split()
        if not words:
            continue
        port = int(words[1]) if words[0] == "api" else None
        pid = os.fork()
        if pid == 0:
            _child(words[-1], port)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
