"""Real `brain` processes for tests, started warm.

A process started from scratch spends 6-30 s importing torch, LangGraph and the model code before
it does anything, and the tests that need a second process (a CLI command, a process killed with
SIGKILL, two workers racing) paid that for every command. The fork server imports the CLI once and
then forks: every child is a real, separate process (its own pid, memory, event loop, database
pool and model session; it can be killed with SIGKILL) that starts in a fraction of a second.

The server itself never touches the database, starts no thread and runs no model before forking.
Protocol, one JSON line per child on stdin: {"argv": [...]} runs `brain ARGV`, {"code": "...",
"argv": [...]} runs Python code as `python -c CODE ARGV`; "env", "cwd" and "dir" (where the child's
`out`, `err` and `rc` files go) are given with it. The server answers with the child's pid. The
child writes its exit status to `rc` when it ends by itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHILD_TIMEOUT = 180.0


def _reap(*_: object) -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _child(request: dict[str, Any]) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    folder = Path(request["dir"])
    for fd, name in ((1, "out"), (2, "err")):
        target = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(target, fd)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    code = 0
    try:
        if "code" in request:
            sys.argv = ["-c", *request["argv"]]
            exec(compile(request["code"], "<forked>", "exec"), {"__name__": "__main__"})
        else:
            from cli.main import main

            sys.argv = ["brain", *request["argv"]]
            main()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if not isinstance(stop.code, int | None):
            print(stop.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - reported like an uncaught error in a fresh process
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        (folder / "rc.tmp").write_text(str(code))
        os.replace(folder / "rc.tmp", folder / "rc")
        os._exit(code)


def serve() -> None:
    import cli.main  # noqa: F401 - the warm part every child inherits
    from runtime.brain import load_catalog

    load_catalog()
    # Crews import CrewAI on first use (seconds of CPU); children of a warm parent skip that. Its
    # files go under a folder of the server's own; the optional extra may be missing.
    from runtime.crews.setup import CrewsUnavailable, prepare

    with contextlib.suppress(CrewsUnavailable):
        prepare(Path(tempfile.mkdtemp(prefix="brain-forkserver-")))
    signal.signal(signal.SIGCHLD, _reap)
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(pid, flush=True)


@dataclass
class Child:
    """A forked process: its pid and the files its output goes to."""

    pid: int
    folder: Path

    @property
    def stdout(self) -> str:
        return (self.folder / "out").read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return (self.folder / "err").read_text(errors="replace")

    @property
    def returncode(self) -> int | None:
        rc = self.folder / "rc"
        return int(rc.read_text()) if rc.exists() else None

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def wait(self, timeout: float = CHILD_TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while (rc := self.returncode) is None:
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"child {self.pid} still running after {timeout} s: {self.stderr[-2000:]}")
            if not self.alive():
                time.sleep(0.05)  # the rc file is written just before the process ends
                if (rc := self.returncode) is None:
                    raise RuntimeError(f"child {self.pid} ended without a status: {self.stderr[-2000:]}")
                return rc
            time.sleep(0.02)
        return rc

    def wait_line(self, timeout: float = CHILD_TIMEOUT) -> str:
        """The first whole line the child writes to stdout."""
        deadline = time.monotonic() + timeout
        while "\n" not in (text := self.stdout):
            if time.monotonic() > deadline or self.returncode is not None:
                raise AssertionError(f"no line from child {self.pid}: {self.stderr[-3000:]}")
            time.sleep(0.02)
        return text.split("\n", 1)[0]

    def wait_for(self, line: str, timeout: float = CHILD_TIMEOUT) -> list[str]:
        """The lines the child wrote up to (not including) `line`, once it has written it."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.stdout.split("\n")
            complete = lines[:-1]
            if line in (item.strip() for item in complete):
                return complete[:[item.strip() for item in complete].index(line)]
            if time.monotonic() > deadline or self.returncode is not None:
                raise AssertionError(f"child {self.pid} never wrote {line!r}: {self.stderr[-3000:]}")
            time.sleep(0.02)

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM, then its exit status once it has shut down (-15 when it ends by the signal itself,
        as uvicorn does after a graceful shutdown)."""
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"child {self.pid} ignored SIGTERM for {timeout} s")
            time.sleep(0.02)
        rc = self.returncode
        return -signal.SIGTERM if rc is None else rc

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


class ForkServer:
    """Client side: starts the server process and asks it for children."""

    def __init__(self, workdir: Path, cwd: Path) -> None:
        import subprocess

        self.workdir = workdir
        self.cwd = cwd
        self._count = 0
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.forkserver"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, env={**os.environ, "PYTHONPATH": str(cwd), "COLUMNS": "200"},  # rich reads it at import
        )
        assert self._proc.stdout is not None
        ready = self._proc.stdout.readline().strip()
        if ready != "ready":
            raise RuntimeError(f"fork server did not start: {ready!r}")

    def start(self, env: dict[str, str], argv: list[str], code: str | None = None) -> Child:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._count += 1
        folder = self.workdir / f"child-{self._count}"
        folder.mkdir(parents=True)
        for name in ("out", "err"):
            (folder / name).touch()
        request: dict[str, Any] = {"argv": argv, "env": env, "cwd": str(self.cwd), "dir": str(folder)}
        if code is not None:
            request["code"] = code
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        return Child(int(self._proc.stdout.readline()), folder)

    def cli(self, env: dict[str, str], argv: list[str], timeout: float = CHILD_TIMEOUT) -> Completed:
        """`brain ARGV` to its end, as subprocess.run would."""
        child = self.start(env, argv)
        rc = child.wait(timeout)
        return Completed(rc, child.stdout, child.stderr)

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(10)
        except Exception:  # noqa: BLE001
            self._proc.kill()


if __name__ == "__main__":
    serve()
