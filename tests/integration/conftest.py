"""Real servers for the integration tests, one per system and test session.

Each fixture installs its server into a virtualenv of its own under `.brain/integration/`
(reused between runs), prepares its state from a cached template, starts it on a free loopback
port and stops it at the end of the session. A failed install or start makes the tests that
need it error with the reason; nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.servers.crm import server as crm
from tests.integration.servers.superset import server as superset
from tests.integration.servers.wagtail import server as wagtail


@pytest.fixture(scope="session")
def wagtail_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[wagtail.WagtailSite]:
    with wagtail.running(tmp_path_factory.mktemp("wagtail")) as site:
        yield site


@pytest.fixture(scope="session")
def crm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[crm.CrmServer]:
    with crm.running(tmp_path_factory.mktemp("crm")) as server:
        yield server


@pytest.fixture(scope="session")
def superset_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[superset.SupersetServer]:
    with superset.running(tmp_path_factory.mktemp("superset")) as server:
        yield server
