"""Policy versions: who may edit, every edit a version with author and diff, restore, overrides."""

from __future__ import annotations

from typing import Any

import pytest

from policies.decide import decide
from policies.model import CallFacts, Outcome
from policies.store import GLOBAL, PolicyPermissionError, PolicyStore, PolicyVersionNotFound
from runtime import db


@pytest.fixture
async def store(db_url: str) -> Any:
    pool = db.open_pool(db_url)
    await pool.open()
    yield PolicyStore(pool)
    await pool.close()


ADMIN = {"author": "root", "author_tenant": "platform", "author_role": "super_admin"}
ACME_ADMIN = {"author": "ann", "author_tenant": "acme", "author_role": "tenant_admin"}
WRITE = CallFacts(tool="crm.lead_create", risk="write", workflow="lead_processing", tenant="acme", agent="lead_capture")


async def test_defaults_until_edited_then_versions_with_author_and_diff(store: PolicyStore) -> None:
    assert (await store.effective("acme")).workflows["lead_processing"].hitl is True
    first = await store.set_workflow(GLOBAL, "lead_processing", {"hitl": False}, note="trust lead intake", **ADMIN)
    second = await store.set_workflow(GLOBAL, "lead_processing", {"confidence_threshold": 0.7}, **ADMIN)
    policy = await store.effective("acme")
    assert policy.version == second > first
    assert (policy.workflows["lead_processing"].hitl, policy.workflows["lead_processing"].confidence_threshold) == (False, 0.7)
    history = await store.history(GLOBAL)
    assert [h["id"] for h in history] == [second, first]
    assert history[1]["author"] == "root" and history[1]["note"] == "trust lead intake"
    assert history[1]["diff"] == [{"path": "workflows.lead_processing.hitl", "old": True, "new": False}]
    assert decide(WRITE, 0.8, 0.8, policy).outcome is Outcome.AUTO


async def test_restore_makes_an_old_version_current_as_a_new_version(store: PolicyStore) -> None:
    first = await store.set_workflow(GLOBAL, "lead_processing", {"hitl": False}, **ADMIN)
    await store.set_workflow(GLOBAL, "lead_processing", {"hitl": True}, **ADMIN)
    restored = await store.restore(first, **ADMIN)
    assert (await store.effective("acme")).workflows["lead_processing"].hitl is False
    assert (await store.history(GLOBAL))[0]["restored_from"] == first
    assert restored > first
    with pytest.raises(PolicyVersionNotFound, match="no policy version 999"):
        await store.restore(999, **ADMIN)


async def test_tenant_overrides_apply_to_that_tenant_only(store: PolicyStore) -> None:
    await store.set_workflow("acme", "lead_processing", {"hitl": False, "confidence_threshold": 0.5}, **ACME_ADMIN)
    acme, beta = await store.effective("acme"), await store.effective("beta")
    assert decide(WRITE, 0.6, 0.6, acme).outcome is Outcome.AUTO
    assert decide(WRITE.model_copy(update={"tenant": "beta"}), 0.6, 0.6, beta).outcome is Outcome.ASK
    _, document = await store.current("acme")
    document["rules"] = [{"id": "no-lead-deletes", "effect": "deny", "tool": "crm.record_delete"}]
    await store.save("acme", document, **ACME_ADMIN)
    rule = (await store.effective("acme")).rules[-1]
    assert (rule.id, rule.tenant) == ("no-lead-deletes", "acme")  # narrowed to the tenant, whatever was written


@pytest.mark.parametrize(
    ("scope", "who", "message"),
    [
        (GLOBAL, ACME_ADMIN, "only a super_admin edits the global policy"),
        ("beta", ACME_ADMIN, "only tenant 'beta'"),
        ("acme", {"author": "op", "author_tenant": "acme", "author_role": "operator"}, "only tenant 'acme'"),
    ],
)
async def test_who_may_edit(store: PolicyStore, scope: str, who: dict[str, str], message: str) -> None:
    with pytest.raises(PolicyPermissionError, match=message):
        await store.set_workflow(scope, "lead_processing", {"hitl": False}, **who)
    assert await store.history() == []  # nothing half-written


async def test_invalid_document_names_the_field(store: PolicyStore) -> None:
    with pytest.raises(ValueError, match="confidence_threshold"):
        await store.set_workflow(GLOBAL, "lead_processing", {"confidence_threshold": 3}, **ADMIN)
    assert await store.history() == []
