"""Conformance suites: one suite per adapter interface, run against every backend of it.

As LangGraph runs one checkpointer suite over memory, SQLite and Postgres, each test here runs
the real adapter client, built the way the Brain builds it (`runtime/wiring/*.py` for the real
server, `bootstrap/stand_ins.py` for the stand-in), against the sandbox stand-in (fast, always in `make test`) and against the real server (marker
`integration`; Superset's also `superset`), so the stand-in cannot drift from the real system.
The real servers are the session fixtures of `tests/integration/conftest.py`.
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import crm_server, superset_server, wagtail_site

__all__ = ["crm_server", "real_or_sandbox", "superset_server", "wagtail_site"]

SANDBOX = "sandbox"
REAL = "real"


def real_or_sandbox(*real_marks: pytest.MarkDecorator, timeout: int = 1500) -> list[object]:
    """The two backends as `params`: the sandbox, and the real server with its markers.

    `timeout` covers a cold start: the first test of a session installs and prepares the server.
    """
    marks = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(timeout), *real_marks]
    return [SANDBOX, pytest.param(REAL, marks=marks)]
