"""Without a bot token or a webhook secret, the Telegram run watcher does not touch the database per event;
with one configured, it looks the run's chat up as before."""

from __future__ import annotations

import copy
from dataclasses import replace

from pydantic import SecretStr

from runtime.brain import Brain
from runtime.services.telegram import TelegramService
from runtime.services.telegram.notify import RunWatcher
from tests.runtime.helpers import ACTOR


def _checkouts(brain: Brain) -> int:
    return int(brain.pool.get_stats().get("requests_num", 0))


async def test_no_bot_means_no_query_per_event(brain: Brain) -> None:
    service = brain.services["telegram"]
    assert isinstance(service, TelegramService)
    watcher = RunWatcher(service)
    run_id, _ = await brain.create_run("Where is order 1042?", ACTOR)
    event = {"seq": 1, "run_id": run_id, "type": "routed", "data": {"agent": "order_status_assistant"}}
    assert not watcher.configured()
    before = _checkouts(brain)
    for kind in ("routed", "tool_result", "waiting", "done"):
        await watcher.on_event({**event, "type": kind})
    assert _checkouts(brain) == before

    configured = copy.copy(service)
    configured.ports = replace(service.ports, settings=brain.settings.model_copy(
        update={"telegram_webhook_secret": SecretStr("s" * 32)}))
    watcher = RunWatcher(configured)
    assert watcher.configured()
    await watcher.on_event({**event, "type": "done"})
    assert _checkouts(brain) > before  # a configured bot: the run's chat is looked up
