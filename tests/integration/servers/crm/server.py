"""A real django-crm 1.35.0 (BottleCRM) server on a loopback port.

django-crm 1.x needs Python >= 3.12 (on 3.11 pip quietly installs the unrelated 0.9.0), so its
virtualenv is made from a Python 3.12+ found on the machine (`$BRAIN_CRM_PYTHON`, `python3.1x`
on PATH, or pyenv's). It runs the CRM's own settings on SQLite (`brain_crm_settings.py`), under
gunicorn, as in its Docker image. The migrated database (django-crm's migrations take minutes) is
built once into a template; each session copies it and runs `bootstrap.py` (an organisation with
an admin and a sales user, a lead pipeline, custom fields, the admin's personal access token).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.servers import process

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
SETTINGS = "brain_crm_settings"
ADMIN_EMAIL = "admin@example.com"
SALES_EMAIL = "sales@example.com"


@dataclass(frozen=True)
class CrmServer:
    url: str
    token: str
    state: Path


def _env(state: Path) -> dict[str, str]:
    """The CRM's environment; its commands run in `state` too, where its logging writes its log files."""
    return process.clean_env({"BRAIN_CRM_STATE": str(state), "DJANGO_SETTINGS_MODULE": SETTINGS,
                              "PYTHONPATH": str(HERE), "ENV_TYPE": "dev"})


def _build(bin_dir: Path, python: str) -> Path:
    def build(folder: Path) -> None:
        process.run([str(bin_dir / "python"), "-m", "django", "migrate", "--noinput", "-v", "0"],
                    what="crm: manage.py migrate", cwd=folder, env=_env(folder), timeout=1800)

    key = process.digest(REQUIREMENTS, HERE / "brain_crm_settings.py", python)
    return process.template("crm", key, build)


def _bootstrap(bin_dir: Path, state: Path) -> str:
    """The organisation, users, pipeline and custom fields (`bootstrap.py`); the admin's new token."""
    answer = process.run([str(bin_dir / "python"), str(HERE / "bootstrap.py")],
                         what="crm: create the organisation and token", cwd=state, env=_env(state), timeout=300)
    try:
        return str(json.loads(answer.strip().splitlines()[-1])["token"])
    except (ValueError, IndexError, KeyError) as exc:
        raise process.ServerSetupError(f"crm: bootstrap.py printed no token: {answer[-2000:]!r}") from exc


@contextmanager
def running(workdir: Path) -> Iterator[CrmServer]:
    """Install (first time), prepare and start the CRM; stop it when the block ends."""
    python = process.find_python((3, 12), "BRAIN_CRM_PYTHON")
    bin_dir = process.venv("crm", python, REQUIREMENTS)
    template = _build(bin_dir, python)
    state = workdir / "state"
    shutil.copytree(template, state)
    token = _bootstrap(bin_dir, state)
    port = process.free_port()
    url = f"http://127.0.0.1:{port}"
    server = process.start(
        "crm", [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
                "--graceful-timeout", "5", "--control-socket", str(workdir / "gunicorn.ctl"), "crm.wsgi:application"],
        url=url, ready_path="/api/leads/", ready_status=(401, 403), log=workdir / "gunicorn.log", cwd=state,
        env=_env(state), timeout=120)
    try:
        yield CrmServer(url=url, token=token, state=state)
    finally:
        process.stop(server)
