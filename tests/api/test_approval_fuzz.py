"""Fuzzed approval answers on every channel (HTTP, the CLI, a Telegram edit) never leave a run
unanswerable: after each answer the run waits with its approval pending, or it went on to the end;
bad answers are refused naming the field, and never with a 500 or a traceback."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from pydantic import SecretStr
from typer.testing import CliRunner

from api.telegram import SECRET_HEADER
from cli.main import app as cli_app
from runtime.brain import Brain
from runtime.runs import Actor
from runtime.services.telegram import Link, TelegramService
from runtime.services.telegram.approvals import ApprovalDesk
from runtime.settings import Settings
from tests.api.conftest import REQUEST, Auth, error_of, settle
from tests.runtime.test_restart import env_for
from tests.services.telegram_bot_api import (
    HOOK_SECRET,
    TOKEN,
    BotApi,
    mocked_bot_api,
    press_update,
    text_update,
)

DANA = Actor("dana", "demo", "operator")
FUZZ = examples(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                      HealthCheck.data_too_large])

texts = st.one_of(
    st.text(max_size=12), st.just("bad\x00nul"), st.just("lone \udfff surrogate"), st.just("\udcff"),
    st.just("x" * 30_000), st.sampled_from(["Red Mug", "15", "", " "]),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(), texts)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                           max_leaves=5)
arg_names = st.one_of(st.sampled_from(["name", "price", "description", "category", "product_type", "colour"]), texts)
edited_args = st.dictionaries(arg_names, json_values, max_size=3)
call_answers = st.fixed_dictionaries(
    {"action": st.sampled_from(["approve", "reject", "edit", "edit", "maybe"])},
    optional={"args": st.one_of(edited_args, json_values), "reason": st.one_of(texts, json_values)},
)
answer_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"calls": st.dictionaries(st.one_of(st.just("1.0"), texts), call_answers,
                                                                 max_size=2),
                                        "all": call_answers, "extra": json_values}),
    json_values,
)


async def waiting_run(brain: Brain, holder: dict[str, str]) -> str:
    """The run the examples answer: the current one while it waits, else a new one."""
    run_id = holder.get("run")
    if run_id is None or (await brain.get_run(run_id, DANA))["status"] != "waiting":
        out = await brain.submit(REQUEST, DANA)
        assert out.status == "waiting", out
        holder["run"] = run_id = out.run_id
    return run_id


async def assert_answerable(brain: Brain, run_id: str) -> str:
    """A run waits with exactly its approval pending, or it is done with none; nobody holds it."""
    run = await brain.get_run(run_id, DANA)
    pending = [a for a in await brain.pending_approvals(DANA) if str(a["run_id"]) == run_id]
    assert run["lease_owner"] is None, run
    if run["status"] == "waiting":
        assert len(pending) == 1, (run, pending)
    else:
        assert (run["status"], pending) == ("done", []), (run, pending)
        kinds = [e["kind"] for e in await brain.ledger.for_run(run_id)]
        assert "approval" in kinds and kinds.count("started") <= 1, kinds
    return str(run["status"])


def _raw(body: Any) -> bytes:
    """JSON as a client might send it: escapes for surrogates, NaN and Infinity literals."""
    return json.dumps(body).encode()


@pytest.mark.slow
@examples(FUZZ, max_examples=40)
@given(body=answer_bodies)
async def test_fuzzed_http_answers(brain: Brain, app: FastAPI, client: httpx.AsyncClient, auth: Auth,
                                   body: Any) -> None:
    run_id = await waiting_run(brain, app.state.__dict__.setdefault("fuzz", {}))
    response = await client.post(f"/approvals/{run_id}", content=_raw(body),
                                 headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code in (200, 409, 413, 422), (body, response.text)
    status = await assert_answerable(brain, run_id)
    if response.status_code == 200:
        assert response.json()["status"] == status == "done"
    else:
        assert status == "waiting" and error_of(response)["message"]
        if response.status_code == 422:
            assert error_of(response).get("field"), response.json()


cli_args = st.one_of(edited_args.map(lambda a: json.dumps(a, ensure_ascii=False) if _encodable(a) else json.dumps(a)),
                     texts, st.none())


def _encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except (UnicodeEncodeError, ValueError):
        return False
    return True


@pytest.mark.slow
@examples(FUZZ, max_examples=6)
@given(args=cli_args, reason=st.one_of(st.none(), texts), reject=st.booleans())
async def test_fuzzed_cli_answers(brain: Brain, settings: Settings, args: str | None, reason: str | None,
                                  reject: bool) -> None:
    holder = brain.__dict__.setdefault("fuzz", {})
    run_id = await waiting_run(brain, holder)
    if reject:
        argv = ["reject", run_id, "--user", "dana", *(["--reason", reason] if reason is not None else [])]
    else:
        argv = ["approve", run_id, "--user", "dana", *(["--args", args] if args is not None else []),
                *(["--reason", reason] if reason is not None else [])]
    result = await asyncio.to_thread(CliRunner().invoke, cli_app, argv, env=env_for(settings))
    assert result.exit_code in (0, 2), (argv, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    status = await assert_answerable(brain, run_id)
    assert (result.exit_code == 0) == (status == "done"), result.output


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A real bot (mocked at the Bot API) so approvers are sent the approval with buttons."""
    return settings.model_copy(update={"telegram_bot_token": SecretStr(TOKEN),
                                       "telegram_webhook_secret": SecretStr(HOOK_SECRET)})


@pytest.fixture
def bot_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[BotApi]:
    monkeypatch.setattr(ApprovalDesk, "ack_seconds", 120.0)
    yield from mocked_bot_api()


edit_texts = st.one_of(edited_args.map(json.dumps), edited_args.filter(_encodable).map(
    lambda a: json.dumps(a, ensure_ascii=False)), texts, st.just('{"price": NaN}'), st.just('{"name": "\\u0000"}'))
update_ids = itertools.count(1000)


@pytest.mark.slow
@examples(FUZZ, max_examples=25)
@given(text=edit_texts)
async def test_fuzzed_telegram_edits(brain: Brain, app: FastAPI, client: httpx.AsyncClient, bot_api: BotApi,
                                     text: str) -> None:
    service = brain.services["telegram"]
    assert isinstance(service, TelegramService)
    holder = app.state.__dict__.setdefault("fuzz", {})
    if not holder:
        await service.links.upsert("demo", "", Link("demo", "ann", 1001, "Ann", role="tenant_admin"))
    known = holder.get("run")
    run_id = await waiting_run(brain, holder)
    if run_id != known:
        holder["edit"] = next(data for row in bot_api.approval(1001).buttons for label, data in row if label == "Edit")
    for update in (press_update(next(update_ids), 1001, holder["edit"]), text_update(next(update_ids), 1001, text)):
        response = await client.post("/telegram/webhook", content=_raw(update),
                                     headers={SECRET_HEADER: HOOK_SECRET, "Content-Type": "application/json"})
        assert response.status_code in (200, 413, 422), response.text  # 413: an update over the body limit
        await settle(app)
    await assert_answerable(brain, run_id)
