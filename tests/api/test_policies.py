"""The HITL plan's policy routes and who may use each: operators read, tenant admins edit their
tenant's overrides, super admins edit the global policy (or any tenant's with ?tenant=)."""

from __future__ import annotations

import httpx

from runtime.brain import Brain
from tests.api.conftest import Auth, error_of

WF = "product_sourcing"


async def test_operator_reads_but_may_not_edit(brain: Brain, client: httpx.AsyncClient, auth: Auth) -> None:
    version = await brain.policies.set_workflow("demo", WF, {"hitl": True}, author="ann", author_tenant="demo",
                                                author_role="tenant_admin")
    edits = [
        ("PUT", f"/workflows/hitl/{WF}/toggle", None),
        ("PUT", f"/workflows/confidence/{WF}", {"threshold": 0.5}),
        ("PUT", f"/workflows/autonomous/{WF}", {"tools": []}),
        ("POST", f"/policies/restore/{version}", None),
    ]
    for method, path, body in edits:
        response = await client.request(method, path, json=body, headers=auth("operator"))
        assert response.status_code == 403, (path, response.text)
        assert error_of(response)["message"] == (
            "only tenant 'demo''s tenant_admin or a super_admin edits its overrides (you are operator of 'demo')")
    policy = (await client.get("/policies", headers=auth("viewer"))).json()
    assert policy["tenant"] == "demo" and policy["effective"]["workflows"][WF]["hitl"] is True
    assert policy["overrides"]["version"] == version and policy["global"] is None
    autonomous = (await client.get(f"/workflows/autonomous/{WF}", headers=auth("viewer"))).json()
    assert (autonomous["scope"], autonomous["settings"]["autonomous_destructive"]) == ("demo", [])


async def test_tenant_admin_edits_its_tenants_overrides_only(brain: Brain, client: httpx.AsyncClient, auth: Auth) -> None:
    admin = auth("tenant_admin")
    flipped = await client.put(f"/workflows/hitl/{WF}/toggle", headers=admin)
    assert flipped.status_code == 200, flipped.text
    assert (flipped.json()["scope"], flipped.json()["settings"]["hitl"]) == ("demo", False)
    assert (await brain.policies.effective("demo")).workflows[WF].hitl is False
    assert (await brain.policies.effective("global")).workflows[WF].hitl is True  # global untouched
    set_on = await client.put(f"/workflows/hitl/{WF}/toggle", json={"enabled": True}, headers=admin)
    assert set_on.json()["settings"]["hitl"] is True

    threshold = await client.put(f"/workflows/confidence/{WF}", json={"threshold": 0.7}, headers=admin)
    assert threshold.json()["settings"]["confidence_threshold"] == 0.7
    allowed = await client.put(f"/workflows/autonomous/{WF}", json={"tools": ["saleor.price_bulk_update"]}, headers=admin)
    assert allowed.json()["settings"]["autonomous_destructive"] == ["saleor.price_bulk_update"]
    assert (await client.get(f"/workflows/autonomous/{WF}", headers=admin)).json()["settings"]["autonomous_destructive"] == [
        "saleor.price_bulk_update"]

    versions = (await client.get("/policies/versions", headers=admin)).json()
    assert [(v["scope"], v["author"], v["author_role"]) for v in versions] == [("demo", "dana", "tenant_admin")] * 4
    assert WF in versions[-1]["diff"][0]["path"]
    restored = await client.post(f"/policies/restore/{versions[-1]['id']}", headers=admin)
    assert restored.status_code == 200 and restored.json()["restored_from"] == versions[-1]["id"]
    assert (await brain.policies.effective("demo")).workflows[WF].hitl is False

    other = await client.put(f"/workflows/hitl/{WF}/toggle", params={"tenant": "acme"}, headers=admin)
    assert other.status_code == 403
    assert error_of(other)["message"] == (
        "only tenant 'acme''s tenant_admin or a super_admin edits its overrides (you are tenant_admin of 'demo')")
    for path in ("/policies", f"/workflows/autonomous/{WF}"):
        peek = await client.get(path, params={"tenant": "acme"}, headers=admin)
        assert peek.status_code == 403 and "another tenant's policy" in error_of(peek)["message"]
    history = await client.get("/policies/versions", params={"scope": "acme"}, headers=admin)
    assert history.status_code == 403


async def test_super_admin_edits_the_global_policy_or_a_named_tenant(brain: Brain, client: httpx.AsyncClient, auth: Auth) -> None:
    root = auth("super_admin", tenant="platform", user="root")
    glob = await client.put(f"/workflows/confidence/{WF}", json={"threshold": 0.95}, headers=root)
    assert (glob.json()["scope"], glob.json()["settings"]["confidence_threshold"]) == ("global", 0.95)
    tenant = await client.put(f"/workflows/hitl/{WF}/toggle", params={"tenant": "demo"}, json={"enabled": False}, headers=root)
    assert tenant.json()["scope"] == "demo"
    effective = await brain.policies.effective("demo")
    assert (effective.workflows[WF].hitl, effective.workflows[WF].confidence_threshold) == (False, 0.95)

    view = (await client.get("/policies", params={"tenant": "demo"}, headers=root)).json()
    assert view["global"]["version"] >= 1 and view["overrides"]["document"]["workflows"][WF]["hitl"] is False
    assert {v["scope"] for v in (await client.get("/policies/versions", headers=root)).json()} == {"global"}
    demo = (await client.get("/policies/versions", params={"scope": "demo"}, headers=root)).json()
    assert [(v["scope"], v["author"], v["author_role"]) for v in demo] == [("demo", "root", "super_admin")]
    # The tenant admin of demo sees the global versions and its own, never another tenant's.
    await client.put(f"/workflows/hitl/{WF}/toggle", params={"tenant": "acme"}, headers=root)
    seen = {v["scope"] for v in (await client.get("/policies/versions", headers=auth("tenant_admin"))).json()}
    assert seen == {"global", "demo"}

    restore_global = await client.post(f"/policies/restore/{glob.json()['version']}", headers=auth("tenant_admin"))
    assert restore_global.status_code == 403 and "only a super_admin edits the global policy" in error_of(restore_global)["message"]


async def test_bad_policy_input_names_the_field(client: httpx.AsyncClient, auth: Auth) -> None:
    admin = auth("tenant_admin")
    cases = [
        ("PUT", "/workflows/hitl/no_such_flow/toggle", None, 404, "workflow"),
        ("PUT", f"/workflows/confidence/{WF}", {"threshold": 1.5}, 422, "threshold"),
        ("PUT", f"/workflows/confidence/{WF}", {}, 422, "threshold"),
        ("PUT", f"/workflows/hitl/{WF}/toggle", {"enabled": "perhaps"}, 422, "enabled"),
        ("PUT", f"/workflows/autonomous/{WF}", {"tools": ["saleor.nothing"]}, 422, "tools.0"),
        ("PUT", f"/workflows/autonomous/{WF}", {"tools": ["saleor.price_bulk_update", "saleor.product_search"]}, 422, "tools.1"),
        ("GET", "/workflows/autonomous/no_such_flow", None, 404, "workflow"),
        ("POST", "/policies/restore/999999", None, 404, None),
        ("POST", "/policies/restore/0", None, 422, "version"),
    ]
    for method, path, body, status, field in cases:
        response = await client.request(method, path, json=body, headers=admin)
        assert response.status_code == status, (path, body, response.text)
        assert error_of(response).get("field") == field, (path, body, response.json())


async def test_a_tenant_that_does_not_exist_is_a_404_naming_it(client: httpx.AsyncClient, auth: Auth) -> None:
    root = auth("super_admin", tenant="platform", user="root")
    for method, path, params in (("PUT", f"/workflows/hitl/{WF}/toggle", {"tenant": "i"}),
                                 ("PUT", f"/workflows/confidence/{WF}", {"tenant": "i"}),
                                 ("GET", f"/workflows/autonomous/{WF}", {"tenant": "i"}),
                                 ("GET", "/policies", {"tenant": "i"}),
                                 ("GET", "/policies/versions", {"scope": "i"})):
        body = {"threshold": 0.5} if "confidence" in path else None
        response = await client.request(method, path, params=params, json=body, headers=root)
        assert response.status_code == 404, (path, response.text)
        assert error_of(response)["field"] == "tenant"
        assert error_of(response)["message"].startswith("tenant: no tenant 'i'"), response.text
    assert (await client.get("/policies", params={"tenant": "demo"}, headers=root)).status_code == 200
