"""The admin console in Chromium against a real `brain serve`: signing in and out, the lockout, the
approvals inbox (live, edit, reject), the policy editor (roles, simulation, history, restore), and
tenant isolation. Each page is photographed into tests/browser/artifacts/.

The tests share one server and run in file order; each makes the runs it needs.
"""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import PASSWORD, USERS, Console, shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


async def test_sign_in_and_out(page: Page, console: Console) -> None:
    await page.goto(f"{console.url}/admin/runs")
    await expect(page).to_have_url(re.compile(r"/admin/login\?next=%2Fadmin%2Fruns"))
    await shot(page, "01-login")
    await page.fill("input[name=email]", USERS["admin-a"][0])
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form button[type=submit]")
    await expect(page).to_have_url(f"{console.url}/admin/runs")
    await expect(page.locator("header .who")).to_contain_text("tenant_admin of tenant-a")
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert cookies["brain_access"]["httpOnly"] and cookies["brain_access"]["sameSite"] == "Lax"
    assert cookies["brain_refresh"]["httpOnly"] and cookies["brain_refresh"]["sameSite"] == "Strict"

    await page.click("header button:has-text('Sign out')")
    await expect(page).to_have_url(re.compile(r"/admin/login"))
    await expect(page.locator(".notice")).to_have_text("signed out")
    await page.goto(f"{console.url}/admin/approvals")
    await expect(page).to_have_url(re.compile(r"/admin/login\?next="))


async def test_a_form_post_without_its_csrf_token_is_refused(page: Page, console: Console) -> None:
    await sign_in(page, console, "admin-a")
    forged = await page.request.post(f"{console.url}/admin/approvals-all", form={"csrf": "0" * 64})
    assert forged.status == 403 and "CSRF" in await forged.text()


async def test_wrong_password_then_lockout(page: Page, console: Console) -> None:
    await page.goto(f"{console.url}/admin/login")
    await page.fill("input[name=email]", "nobody@tenant-a.example")
    await page.fill("input[name=password]", "whatever-it-is")
    await page.click("form button[type=submit]")
    unknown = await page.locator("#login-error").inner_text()
    email = USERS["locked-a"][0]
    for attempt in range(3):
        await page.fill("input[name=email]", email)
        await page.fill("input[name=password]", f"wrong-password-{attempt}")
        await page.click("form button[type=submit]")
        if attempt == 0:
            await expect(page.locator("#login-error")).to_have_text(unknown)  # one message for both
            await shot(page, "02-login-wrong-password")
    assert unknown == "wrong e-mail or password"
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)  # the right one: still refused while locked
    await page.click("form button[type=submit]")
    await expect(page.locator("#login-error")).to_contain_text("locked")
    await expect(page).to_have_url(re.compile(r"/admin/login"))
    await shot(page, "03-login-locked")


async def test_approve_with_an_edited_price_runs_the_tool_once_with_it(page: Page, console: Console) -> None:
    await sign_in(page, console, "operator-a")
    await expect(page.locator("#live-state")).to_have_text("live")
    run_id = await console.submit("add a product called Plum Kettle priced 12 USD to the store", tenant="tenant-a")
    card = page.locator(f"#approval-{run_id}")
    await expect(card).to_be_visible(timeout=120_000)  # arrives over SSE, without a reload
    await expect(card).to_contain_text("saleor.product_create")
    await expect(card).to_contain_text("HITL is on for product_sourcing")
    await expect(card.locator("time.expiry")).to_contain_text(re.compile(r"expires in \d+h"))
    await shot(page, "04-approvals-inbox")

    await card.locator("a:has-text('Edit')").click()
    price = page.locator("input[name='arg.price']")
    await expect(price).to_have_value(re.compile(r"^12(\.0)?$"))
    await shot(page, "05-approval-edit-form")
    await price.fill("15")
    await page.click("button:has-text('Approve with these arguments')")
    await expect(page).to_have_url(re.compile(f"/admin/runs/{run_id}"))
    task = await console.wait_status(run_id, "tenant-a", {"done", "failed"})
    assert task["status"] == "done", task
    await page.reload()
    await expect(page.locator(".timeline")).to_contain_text("ledger: result")
    await shot(page, "06-run-timeline")

    results = await console.sql("SELECT args FROM ledger WHERE run_id = %s AND kind = 'result'", run_id)
    assert [float(r["args"]["price"]) for r in results] == [15.0]  # ran once, with the edited value
    products = await console.get("/saleor/products?q=Plum%20Kettle", "viewer", "tenant-a")
    assert [(p["name"], p["price"]) for p in products["items"]] == [("Plum Kettle", 15.0)]


async def test_reject_with_a_reason(page: Page, console: Console) -> None:
    run_id = await console.submit("add a product called Sage Candle priced 9 USD to the store", tenant="tenant-a")
    await console.wait_status(run_id, "tenant-a", {"waiting"})
    await sign_in(page, console, "operator-a")
    card = page.locator(f"#approval-{run_id}")
    await card.locator("input[name=reason]").fill("the supplier is not confirmed")
    await card.locator("button:has-text('Reject')").click()
    await expect(page).to_have_url(re.compile(f"/admin/runs/{run_id}"))
    task = await console.wait_status(run_id, "tenant-a", {"done", "failed"})
    assert "the supplier is not confirmed" in (task.get("answer") or "")
    approvals = await console.sql("SELECT outcome, reason FROM ledger WHERE run_id = %s AND kind = 'approval'", run_id)
    assert approvals == [{"outcome": "rejected", "reason": "the supplier is not confirmed"}]
    assert await console.sql("SELECT 1 FROM ledger WHERE run_id = %s AND kind = 'result'", run_id) == []
    await page.reload()
    await expect(page.locator(".timeline")).to_contain_text("the supplier is not confirmed")


async def test_an_operator_may_read_the_policy_but_not_save_it(page: Page, console: Console) -> None:
    await sign_in(page, console, "operator-a", then="/admin/policies")
    await expect(page.locator("#read-only")).to_contain_text("tenant_admin")
    await expect(page.locator("#wf-product_sourcing button[value=save]")).to_have_count(0)
    csrf = await page.locator("#wf-product_sourcing input[name=csrf]").input_value()
    forged = await page.request.post(f"{console.url}/admin/policies", form={
        "csrf": csrf, "scope": "tenant-a", "workflow": "product_sourcing", "confidence_threshold": "0.9",
        "autonomous": "", "intent": "save"})
    assert forged.status == 403
    assert (await console.get("/policies/versions?scope=tenant-a", "viewer", "tenant-a")) == []


async def test_simulation_shows_the_counts_before_saving(page: Page, console: Console) -> None:
    await sign_in(page, console, "admin-a", then="/admin/policies")
    form = page.locator("#wf-product_sourcing")
    await form.locator("input[name=hitl]").uncheck()
    # HITL off lets a write run alone only at or above the threshold; calls carry their own (trained)
    # confidence, so the draft also lowers the threshold below theirs.
    await form.locator("input[name=confidence_threshold]").fill("0.3")
    await form.locator("button[value=simulate]").click()
    sim = page.locator("#sim-runs")
    await expect(sim).to_be_visible(timeout=180_000)
    cells = [await c.inner_text() for c in await sim.locator("tbody tr:nth-child(3) td").all()]
    assert cells[0].startswith("+") and int(cells[0]) >= 1, cells  # asks that would run without asking
    assert int(cells[1]) <= -1, cells
    await expect(page.locator("#sim-suite")).to_be_visible()
    await shot(page, "07-policy-simulation")
    assert (await console.get("/policies/versions?scope=tenant-a", "viewer", "tenant-a")) == []  # nothing saved


async def test_a_tenant_admin_turns_hitl_off_then_restores_a_version_and_sees_the_diff(page: Page, console: Console) -> None:
    await sign_in(page, console, "admin-a", then="/admin/policies")
    form = page.locator("#wf-product_sourcing")
    await form.locator("input[name=hitl]").uncheck()
    await form.locator("button[value=save]").click()
    await expect(page.locator(".notice")).to_contain_text("saved as version")
    policy = await console.get("/policies", "viewer", "tenant-a")
    assert policy["effective"]["workflows"]["product_sourcing"]["hitl"] is False
    other = await console.get("/policies", "viewer", "tenant-b")
    assert other["effective"]["workflows"]["product_sourcing"]["hitl"] is True

    form = page.locator("#wf-product_sourcing")
    await form.locator("input[name=confidence_threshold]").fill("0.95")
    await form.locator("button[value=save]").click()
    await expect(page.locator(".notice")).to_contain_text("saved as version")
    versions = await console.get("/policies/versions?scope=tenant-a", "viewer", "tenant-a")
    newest, first = versions[0]["id"], versions[-1]["id"]
    await expect(page.locator(f"#version-{newest} table.diff")).to_contain_text("confidence_threshold")
    await page.locator(f"#version-{first} button:has-text('Restore')").click()
    await expect(page.locator(".notice")).to_contain_text(f"version {first} restored as version")
    restored = (await console.get("/policies/versions?scope=tenant-a", "viewer", "tenant-a"))[0]
    assert restored["restored_from"] == first
    await expect(page.locator(f"#version-{restored['id']}")).to_contain_text(f"restored from {first}")
    await expect(page.locator(f"#version-{restored['id']} table.diff")).to_contain_text("confidence_threshold")
    policy = await console.get("/policies", "viewer", "tenant-a")
    assert policy["effective"]["workflows"]["product_sourcing"]["confidence_threshold"] == 0.9
    await shot(page, "08-policy-history-restored")


async def test_a_viewer_of_one_tenant_cannot_see_another_tenants_run(page: Page, console: Console) -> None:
    theirs = await console.submit("add a product called Slate Coaster priced 7 USD to the store", tenant="tenant-b")
    await console.wait_status(theirs, "tenant-b", {"waiting", "done"})
    await sign_in(page, console, "viewer-a", then="/admin/runs")
    await expect(page.locator("table.runs")).not_to_contain_text("Slate Coaster")
    answer = await page.goto(f"{console.url}/admin/runs/{theirs}")
    assert answer is not None and answer.status == 404
    await expect(page.locator("h1")).to_contain_text("404")
    await shot(page, "09-other-tenants-run-404")
    await page.goto(f"{console.url}/admin/approvals")
    await expect(page.locator("#inbox")).not_to_contain_text("Slate Coaster")
    assert await page.locator("button:has-text('Approve')").count() == 0  # a viewer answers nothing


async def test_every_page_renders(page: Page, console: Console) -> None:
    (console.reports / "eval-sample.html").write_text("<!doctype html><title>sample report</title><h1>scores</h1>")
    await sign_in(page, console, "admin-a", then="/admin/runs")
    await expect(page.locator("table.runs")).to_contain_text("Plum Kettle")
    await shot(page, "10-runs")
    await page.goto(f"{console.url}/admin/agents")
    await expect(page.locator("h1")).to_contain_text("93")
    await expect(page.locator("#agent-product_catalog_manager")).to_contain_text("saleor.product_create")
    await shot(page, "11-agents", full=False)
    await page.goto(f"{console.url}/admin/insights")
    await expect(page.locator(".tiles")).to_contain_text("Orders (Saleor)")
    await expect(page.locator("figure.chart svg rect").first).to_be_attached()
    await shot(page, "12-insights")
    await page.goto(f"{console.url}/admin/reports")
    await page.click("a:has-text('eval-sample.html')")
    await expect(page).to_have_title("sample report")
    await page.goto(f"{console.url}/admin/reports")
    await shot(page, "13-eval-reports")
    await page.click("header button:has-text('Sign out')")
    await page.set_viewport_size({"width": 390, "height": 844})
    await sign_in(page, console, "admin-b")  # tenant-b's product run from the isolation test waits here
    await expect(page.locator("#inbox")).to_contain_text("Slate Coaster")
    await shot(page, "14-approvals-phone")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the approvals page scrolls sideways on a phone ({width} px)"
