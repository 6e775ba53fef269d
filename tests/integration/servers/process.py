"""Installing and running a real server for the integration tests.

Each system gets its own virtualenv under `<repo>/.brain/integration/` (never the project's),
installed from its pinned requirements file and reused while that file and the interpreter stay
the same. A migrated, seeded state (database, media, credentials) is built once per version of
the server's files into a template folder there too, and every test session starts its server on
a copy of it, on a free loopback port, as a subprocess stopped by its pid at the end.

A step that fails raises `ServerSetupError` naming the command and the end of its output, so the
tests that need the server error with the reason instead of being skipped.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
CACHE = Path(os.environ.get("BRAIN_INTEGRATION_CACHE", REPO / ".brain" / "integration"))
OUTPUT_TAIL = 4000  # characters of a failed command's output kept in the error


class ServerSetupError(RuntimeError):
    """A real server could not be installed, prepared or started; the message says which step."""


def _tail(text: str) -> str:
    return text if len(text) <= OUTPUT_TAIL else "..." + text[-OUTPUT_TAIL:]


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a server's own interpreter: no trace of the project venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "__PYVENV_LAUNCHER__")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def run(cmd: list[str], *, what: str, timeout: float, cwd: Path | None = None,
        env: Mapping[str, str] | None = None) -> str:
    """Run one setup command; its stdout, or `ServerSetupError` with the output's tail."""
    try:
        done = subprocess.run(cmd, cwd=cwd, env=dict(env) if env is not None else clean_env(), timeout=timeout,
                              capture_output=True, text=True, check=False)
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or "") if isinstance(exc.stdout, str) else ""
        raise ServerSetupError(f"{what}: timed out after {timeout:.0f}s: {' '.join(cmd)}\n{_tail(output)}") from exc
    except OSError as exc:
        raise ServerSetupError(f"{what}: could not run {cmd[0]}: {exc}") from exc
    if done.returncode != 0:
        raise ServerSetupError(f"{what}: exit {done.returncode}: {' '.join(cmd)}\n{_tail(done.stdout + done.stderr)}")
    return done.stdout


@contextmanager
def locked(name: str) -> Iterator[None]:
    """An exclusive lock across processes (two pytest runs must not build the same venv at once)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def digest(*parts: bytes | str | Path) -> str:
    """A short hash of bytes, strings and files (folders: every file in them, by relative path)."""
    sha = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            files = sorted(p for p in part.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
                if part.is_dir() else [part]
            for file in files:
                sha.update(str(file.relative_to(part) if part.is_dir() else file.name).encode())
                sha.update(file.read_bytes())
        else:
            sha.update(part.encode() if isinstance(part, str) else part)
    return sha.hexdigest()[:16]


def base_python() -> str:
    """The interpreter the project venv was made from (3.11), for systems that run on it."""
    return str(getattr(sys, "_base_executable", sys.executable))


def find_python(minimum: tuple[int, int], env_var: str) -> str:
    """A Python >= minimum: `$env_var`, else `python3.N` on PATH, else pyenv's versions."""
    wanted = f"{minimum[0]}.{minimum[1]}"
    chosen = os.environ.get(env_var)
    candidates: list[str] = [chosen] if chosen else []
    for minor in range(minimum[1] + 3, minimum[1] - 1, -1):
        found = shutil.which(f"python{minimum[0]}.{minor}")
        if found:
            candidates.append(found)
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    if pyenv.is_dir():
        candidates += [str(p / "bin" / "python3") for p in sorted(pyenv.iterdir(), reverse=True)]
    for candidate in candidates:
        try:
            version = subprocess.run([candidate, "-c", "import sys, venv; print(*sys.version_info[:2])"],
                                     capture_output=True, text=True, timeout=30, check=True).stdout.split()
        except (OSError, subprocess.SubprocessError):
            continue
        if tuple(int(v) for v in version) >= minimum:
            return candidate
    raise ServerSetupError(
        f"no Python >= {wanted} with venv found (tried ${env_var}, python3.N on PATH, {pyenv}); "
        f"install one (Debian: apt-get install python{wanted} python{wanted}-venv where available) "
        f"or set {env_var} to its path")


def venv(name: str, python: str, requirements: Path, *, timeout: float = 1800) -> Path:
    """`CACHE/<name>-venv` with exactly `requirements` installed; its bin folder.

    Rebuilt from scratch when the requirements file or the interpreter changes.
    """
    folder = CACHE / f"{name}-venv"
    stamp = folder / ".brain-installed"
    key = digest(requirements, python)
    with locked(f"{name}-venv"):
        if stamp.is_file() and stamp.read_text() == key:
            return folder / "bin"
        shutil.rmtree(folder, ignore_errors=True)
        run([python, "-m", "venv", str(folder)], what=f"{name}: create the virtualenv", timeout=300)
        pip = [str(folder / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "--no-input"]
        run([*pip, "install", "--quiet", "-r", str(requirements)], what=f"{name}: pip install -r {requirements.name}",
            timeout=timeout)
        stamp.write_text(key)
        return folder / "bin"


def template(name: str, key: str, build: Callable[[Path], None]) -> Path:
    """`CACHE/<name>-template-<key>`, made once by `build(folder)` (older templates are removed)."""
    folder = CACHE / f"{name}-template-{key}"
    with locked(f"{name}-template"):
        if (folder / ".brain-complete").is_file():
            return folder
        for old in CACHE.glob(f"{name}-template-*"):
            shutil.rmtree(old, ignore_errors=True)
        partial = CACHE / f"{name}-template-{key}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        build(partial)
        (partial / ".brain-complete").write_text(key)
        partial.rename(folder)
        return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    """A server subprocess (the leader of its own process group) and where it logs."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self) -> str:
        try:
            return _tail(self.log.read_text(errors="replace"))
        except OSError:
            return ""


def start(name: str, cmd: list[str], *, url: str, ready_path: str, log: Path, cwd: Path | None = None,
          env: Mapping[str, str] | None = None, timeout: float = 120,
          ready_status: Iterable[int] = (200,)) -> ServerProcess:
    """Start `cmd` and wait until `GET url+ready_path` answers one of `ready_status`."""
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, cwd=cwd, env=dict(env) if env is not None else clean_env(),
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = ServerProcess(name, url, process, log)
    statuses = set(ready_status)
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerSetupError(f"{name}: the server exited with {process.returncode} while starting: "
                                   f"{' '.join(cmd)}\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(url + ready_path, timeout=5) as answer:  # noqa: S310 - loopback
                status = answer.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
            time.sleep(0.2)
            continue
        if status in statuses:
            return server
        last = f"HTTP {status}"
        time.sleep(0.2)
    stop(server)
    raise ServerSetupError(f"{name}: {url}{ready_path} did not answer within {timeout:.0f}s ({last})\n{server.log_tail()}")


def stop(server: ServerProcess) -> None:
    """Stop the server's process group (its leader is the pid we started), politely, then not."""
    pid = server.process.pid
    if server.process.poll() is None:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(pid, signal.SIGKILL)
            server.process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):  # workers the leader left behind, still in its group
        os.killpg(pid, signal.SIGKILL)
