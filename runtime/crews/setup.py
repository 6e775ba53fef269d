"""CrewAI is an optional extra (`pip install .[crews]`): imported only when a crew runs, offline.

Before the first import: litellm reads its bundled cost map (no download), CrewAI's telemetry,
tracking and trace uploads are off, and the files CrewAI keeps (the last kickoff's task outputs, a
SQLite file) go under the Brain's home instead of the working directory's name in ~/.local/share.
Importing CrewAI still creates ~/.local/share/crewai/credentials/secret.key (a local encryption key
for CrewAI's own login tokens, which the Brain never uses); nothing is sent anywhere.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path


class CrewsUnavailable(RuntimeError):
    """CrewAI is not installed in this environment."""


OFFLINE_ENV = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "CREWAI_DISABLE_TELEMETRY": "true",
    "CREWAI_DISABLE_TRACKING": "true",
    "CREWAI_TRACING_ENABLED": "false",
}


def prepare(home: Path) -> None:
    """Set CrewAI's environment (telemetry off, storage under `home`) and import it once."""
    for name, value in OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
    storage = (home / "crewai").resolve()
    storage.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CREWAI_STORAGE_DIR", str(storage))
    try:
        with warnings.catch_warnings():  # CrewAI's lazy subpackages warn on import (ImportWarning), harmlessly
            warnings.simplefilter("ignore", ImportWarning)
            import crewai  # noqa: F401
    except ImportError as exc:
        raise CrewsUnavailable(
            "crews need CrewAI, the optional extra `crews`: pip install '.[crews]' (make setup installs it)") from exc
