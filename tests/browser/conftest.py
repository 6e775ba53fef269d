"""A real `brain serve` on the embedded Postgres, its users, and Debian's Chromium driven by Playwright.

The server runs in a subprocess on a database cloned from the test template (migrated, routing model
trained once), with its own home folder (sandbox states) and the session's redis-server. Users are
added with the store `brain users add` uses. Screenshots go to tests/browser/artifacts/ (gitignored).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from playwright.async_api import Browser, Page, async_playwright
from pydantic import SecretStr

from api.auth import mint_token
from api.settings import ApiSettings
from runtime import db
from runtime.users import UserStore
from tests.conftest import REPO, SHARED, TEMPLATE, _free_port

CHROMIUM = Path(os.environ.get("BRAIN_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO / "tests" / "browser" / "artifacts"
SECRET = "browser-tests-only-secret-0123456789abcdef"
PASSWORD = "a-long-test-passphrase"
STARTUP_SECONDS = 240


@dataclass
class Console:
    url: str  # http://127.0.0.1:PORT
    db_url: str  # the owner's URL of the server's database
    settings: ApiSettings
    reports: Path

    def token(self, role: str, tenant: str, user: str = "api-user") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, user=user, tenant=tenant, role=role)}"}

    async def submit(self, request: str, *, tenant: str, user: str = "api-user") -> str:
        async with httpx.AsyncClient(base_url=f"{self.url}/api/brain", timeout=30) as http:
            answer = await http.post("/tasks", json={"request": request}, headers=self.token("operator", tenant, user))
            assert answer.status_code == 202, answer.text
            return str(answer.json()["id"])

    async def task(self, run_id: str, tenant: str) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=f"{self.url}/api/brain", timeout=30) as http:
            answer = await http.get(f"/tasks/{run_id}", headers=self.token("viewer", tenant))
            assert answer.status_code == 200, answer.text
            body: dict[str, Any] = answer.json()
            return body

    async def wait_status(self, run_id: str, tenant: str, wanted: set[str], seconds: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + seconds
        while True:
            task = await self.task(run_id, tenant)
            if task["status"] in wanted:
                return task
            assert time.monotonic() < deadline, f"run {run_id} is {task['status']}, not {wanted}, after {seconds} s"
            await asyncio.sleep(0.5)

    async def get(self, path: str, role: str, tenant: str) -> Any:
        async with httpx.AsyncClient(base_url=f"{self.url}/api/brain", timeout=60) as http:
            answer = await http.get(path, headers=self.token(role, tenant))
            assert answer.status_code == 200, answer.text
            return answer.json()

    async def sql(self, statement: str, *params: Any) -> list[dict[str, Any]]:
        """Read the server's database as the owner (what the ledger recorded, not what a page shows)."""
        from psycopg.rows import dict_row

        async with await psycopg.AsyncConnection.connect(self.db_url, autocommit=True, row_factory=dict_row) as conn:
            cur = await conn.execute(statement, params)
            return list(await cur.fetchall())


USERS = {
    "admin-a": ("admin@tenant-a.example", "tenant_admin", "tenant-a"),
    "operator-a": ("operator@tenant-a.example", "operator", "tenant-a"),
    "viewer-a": ("viewer@tenant-a.example", "viewer", "tenant-a"),
    "locked-a": ("forgetful@tenant-a.example", "operator", "tenant-a"),
    "admin-b": ("admin@tenant-b.example", "tenant_admin", "tenant-b"),
}


async def _add_users(url: str) -> None:
    pool = db.open_pool(db.app_url(url), signer=await db.load_signer(url), max_size=1)
    await pool.open()
    try:
        store = UserStore(pool)
        for email, role, tenant in USERS.values():
            await store.add(email, PASSWORD, role=role, tenant=tenant, created_by="browser tests")
    finally:
        await pool.close()


@pytest.fixture(scope="session")
async def console(pg_url: str, template_url: str, redis_url: str) -> AsyncIterator[Console]:
    if not await asyncio.to_thread(CHROMIUM.exists):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: `make browser` installs it (apt-get install chromium)")
    name = f"browser_{uuid.uuid4().hex[:10]}"
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
        await conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    url = db.with_database(pg_url, name)
    await _add_users(url)
    home = Path(tempfile.mkdtemp(prefix="brain-console-"))
    reports = home / "reports"
    reports.mkdir()
    port = _free_port()
    env = {**os.environ, "BRAIN_DATABASE_URL": url, "BRAIN_HOME": str(home / "brain"), "BRAIN_REDIS_URL": redis_url,
           "BRAIN_SPECS_DIR": str(SHARED / "specs"), "BRAIN_JWT_SECRET": SECRET, "BRAIN_API_EVAL_REPORTS_DIR": str(reports),
           "BRAIN_API_LOGIN_MAX_FAILURES": "3", "BRAIN_API_LOGIN_LOCKOUT_SECONDS": "300",
           "BRAIN_API_LOGIN_PER_MINUTE": "200", "BRAIN_API_RATE_LIMIT_PER_MINUTE": "0", "BRAIN_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(REPO)}
    env.pop("BRAIN_MODEL", None)
    log = (home / "serve.log").open("w")
    brain = str(Path(sys.executable).parent / "brain")
    # A long-lived server, not a command awaited here.
    server = subprocess.Popen([brain, "serve", "--port", str(port)], cwd=REPO, env=env,  # noqa: ASYNC220
                              stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        async with httpx.AsyncClient(timeout=5) as http:
            while True:
                assert server.poll() is None, f"brain serve exited: {(home / 'serve.log').read_text()[-3000:]}"
                try:
                    if (await http.get(f"{base}/api/brain/ready")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"brain serve not ready after {STARTUP_SECONDS} s"
                await asyncio.sleep(0.5)
        settings = ApiSettings(jwt_secret=SecretStr(SECRET), jwt_jwks_url=None)  # type: ignore[call-arg]
        yield Console(base, url, settings, reports)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as conn:
            await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        opened = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield opened
        await opened.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    opened = await context.new_page()
    opened.set_default_timeout(60_000)
    opened.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    yield opened
    await context.close()


async def sign_in(page: Page, console: Console, who: str, *, then: str = "/admin/approvals") -> None:
    email = USERS[who][0]
    await page.goto(f"{console.url}/admin/login?next={then}")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form button[type=submit]")
    await page.wait_for_url(f"{console.url}{then}*")


async def shot(page: Page, name: str, *, full: bool = True) -> Path:
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full)
    assert path.stat().st_size > 1000
    return path

