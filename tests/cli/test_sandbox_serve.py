"""`brain sandbox serve`: the stand-ins over real HTTP, reached by the same adapters and tools."""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path

import pytest
from pydantic import SecretStr

from bootstrap import client_factory
from runtime.settings import Settings
from tests.conftest import SHARED
from tests.forkserver import ForkServer
from tools.context import ToolContext
from tools.registry import default_registry


def _free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports."""
    for first in range(20000, 60000, 97):
        sockets: list[socket.socket] = []
        try:
            for port in range(first, first + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no run of free ports")


@pytest.mark.slow
async def test_served_stand_ins_answer_the_real_adapters_over_http(tmp_path: Path, forkserver: ForkServer) -> None:
    port = _free_ports(5)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRAIN_")}
    env.update(BRAIN_HOME=str(tmp_path / "brain"), BRAIN_SPECS_DIR=str(SHARED / "specs"), COLUMNS="300")
    server = forkserver.start(env, ["sandbox", "serve", "--port", str(port), "--tenant", "acme"])
    try:
        exports: dict[str, str] = {}
        for line in await asyncio.to_thread(server.wait_for, "ready"):
            for item in line.split("export", 1)[-1].split():
                key, _, value = item.partition("=")
                exports[key] = value
        assert exports["BRAIN_SALEOR_URL"] == f"http://127.0.0.1:{port}/graphql/"
        settings = Settings(home=tmp_path / "client", specs_dir=SHARED / "specs",
                            saleor_url=exports["BRAIN_SALEOR_URL"], wagtail_url=exports["BRAIN_WAGTAIL_URL"],
                            wagtail_token=SecretStr(exports["BRAIN_WAGTAIL_TOKEN"]), crm_url=exports["BRAIN_CRM_URL"],
                            crm_token=SecretStr(exports["BRAIN_CRM_TOKEN"]), superset_url=exports["BRAIN_SUPERSET_URL"],
                            telegram_bot_token=SecretStr(exports["BRAIN_TELEGRAM_BOT_TOKEN"]),
                            telegram_api_url=exports["BRAIN_TELEGRAM_API_URL"])
        factory = client_factory(settings)
        tools = default_registry()
        ctx = ToolContext(tenant="acme", user="alex", run_id="r", clients=factory.for_tenant("acme"))

        async def call(tool_id: str, args: dict[str, object]) -> dict[str, object]:
            tool = tools.get(tool_id)
            assert tool.handler is not None
            return await tool.handler(ctx, tool.validate_args(args))

        try:
            products = await call("saleor.product_search", {"query": "mug"})
            assert any("Mug" in str(p["name"]) for p in products["products"])  # type: ignore[index,union-attr]
            pages = await call("wagtail.page_search", {})
            assert pages["count"] or pages["pages"]
            leads = await call("crm.lead_search", {})
            assert leads["leads"]
            dashboards = await call("superset.dashboard_list", {})
            assert dashboards["dashboards"]
            sent = await factory.client("telegram", "acme").send_message(700002, "over HTTP")
            assert sent["text"] == "over HTTP" and sent["chat_id"] == 700002
            assert not (tmp_path / "client" / "sandbox").exists()  # nothing ran in process
        finally:
            await factory.aclose()
    finally:
        await asyncio.to_thread(server.terminate)
    state = (tmp_path / "brain" / "sandbox" / "acme" / "telegram" / "telegram.json").read_text()
    assert "over HTTP" in state
