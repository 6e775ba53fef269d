"""Two tenants with data in every tenant table: the attacker's and the victim's.

The core rows (runs, ledger, approvals, events, LangGraph's checkpoints, the tenant, memories,
policy overrides) come from the real Brain; the services' rows are inserted by the owner. Each
tenant's rows carry its id, so a victim row is recognisable wherever it shows up (its id, run id,
chat id and user are the markers the suite looks for).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from runtime import db
from runtime.brain import Brain
from runtime.runs import Actor

REQUEST = "add a product called Red Mug priced 12 USD to the store"


@dataclass
class Tenant:
    id: str
    user: str
    chat_id: int
    code: str
    run_id: str = ""
    reminder_id: str = ""
    row_ids: tuple[str, ...] = ()  # its memories' and approvals' ids

    @property
    def markers(self) -> tuple[str, ...]:
        """Strings that appear only in this tenant's rows (not its chat id: digits turn up in any binary dump)."""
        return (self.id, self.run_id, self.user, *self.row_ids)

    @property
    def code_hash(self) -> str:
        return hashlib.sha256(self.code.encode()).hexdigest()


@dataclass
class World:
    db_url: str
    signer: db.ScopeSigner
    attacker: Tenant
    victim: Tenant
    notes: list[str] = field(default_factory=list)

    def flipped(self) -> World:
        return World(self.db_url, self.signer, self.victim, self.attacker)


ATTACKER = Tenant("acme-sec", "ann-attacker", 770001, "ATTK-0001")
VICTIM = Tenant("victim-b91c", "vic-user", 990002, "VICT-0002")


async def _seed_services(owner: psycopg.AsyncConnection[Any], t: Tenant) -> None:
    """Rows of the Telegram, scheduler and gamification services for one tenant."""
    tid, user, chat = t.id, t.user, t.chat_id
    statements: list[tuple[str, tuple[Any, ...]]] = [
        ("INSERT INTO telegram_links (tenant_id, user_id, role, chat_id, name) VALUES (%s, %s, 'operator', %s, %s)",
         (tid, user, chat, f"{user} name")),
        ("INSERT INTO telegram_link_codes (code_hash, tenant_id, user_id, role, name, expires_at)"
         " VALUES (%s, %s, %s, 'tenant_admin', %s, now() + interval '1 day')", (t.code_hash, tid, user, user)),
        ("INSERT INTO telegram_messages (tenant_id, user_id, chat_id, source, text, status)"
         " VALUES (%s, %s, %s, 'reply', %s, 'sent')", (tid, user, chat, f"secret note of {tid}")),
        ("INSERT INTO telegram_runs (run_id, tenant_id, chat_id, user_id) VALUES (%s, %s, %s, %s)",
         (t.run_id, tid, chat, user)),
        ("INSERT INTO telegram_approval_messages (id, tenant_id, run_id, chat_id, user_id, calls)"
         " VALUES (%s, %s, %s, %s, %s, '[]')", (f"ap-{tid}", tid, t.run_id, chat, user)),
        ("INSERT INTO reminders (id, tenant_id, created_by, recipient, recipient_name, text, first_at, next_at, dedupe_key)"
         " VALUES (%s, %s, %s, %s, %s, %s, now() - interval '1 hour', now() - interval '1 hour', %s)",
         (t.reminder_id, tid, user, user, user, f"take pills, {tid}", f"k-{tid}")),
        ("INSERT INTO reminder_deliveries (reminder_id, occurrence_at, tenant_id, status)"
         " VALUES (%s, now() - interval '2 hours', %s, 'sent')", (t.reminder_id, tid)),
        ("INSERT INTO gamification_settings (tenant_id) VALUES (%s)", (tid,)),
        ("INSERT INTO gamification_reward_tiers (tenant_id, name, kind) VALUES (%s, %s, 'discount')", (tid, f"tier {tid}")),
        ("INSERT INTO gamification_referral_codes (tenant_id, code, referrer, reward_tier)"
         " VALUES (%s, %s, %s, %s)", (tid, f"CODE-{tid}", user, f"tier {tid}")),
        ("INSERT INTO gamification_redemptions (tenant_id, code, referee, referee_domain, status)"
         " VALUES (%s, %s, %s, 'example.org', 'granted')", (tid, f"CODE-{tid}", f"{user}@example.org")),
        ("INSERT INTO gamification_achievement_definitions (tenant_id, achievement) VALUES (%s, %s)", (tid, f"ach {tid}")),
        ("INSERT INTO gamification_achievements (tenant_id, subject, achievement) VALUES (%s, %s, %s)",
         (tid, user, f"ach {tid}")),
        ("INSERT INTO gamification_scores (tenant_id, board, subject, score) VALUES (%s, 'sales', %s, 10)", (tid, user)),
        ("INSERT INTO gamification_visibility (tenant_id, subject, visibility) VALUES (%s, %s, 'public')", (tid, user)),
        ("INSERT INTO users (email, password_hash, role, tenant_id, created_by) VALUES (%s, 'not-a-hash', 'operator', %s,"
         " 'security seed')", (f"{user}@{tid}.example", tid)),
        ("INSERT INTO user_sessions (user_id, tenant_id, token_hash, expires_at) SELECT id, tenant_id, %s,"
         " now() + interval '1 day' FROM users WHERE tenant_id = %s", (hashlib.sha256(tid.encode()).hexdigest(), tid)),
        ("INSERT INTO gamification_portfolio_entries (tenant_id, subject, title, summary, body, text_source, visibility,"
         " status) VALUES (%s, %s, %s, 's', 'b', 'template', 'private', 'draft')", (tid, user, f"case {tid}")),
    ]
    for sql, params in statements:
        await owner.execute(sql, params)
    # A run no process holds: due for any worker (claim_due_runs, where runs have leases).
    await owner.execute("INSERT INTO runs (id, tenant_id, user_id, role, request, status)"
                        " VALUES (%s, %s, %s, 'operator', %s, 'queued')", (str(uuid.uuid4()), tid, user, f"queued for {tid}"))
    # Due approvals for the approval timer's function.
    await owner.execute("UPDATE approvals SET expires_at = now() - interval '1 minute' WHERE tenant_id = %s", (tid,))


@pytest.fixture
async def world(brain: Brain, db_url: str) -> AsyncIterator[World]:
    """The attacker's and the victim's data, through the real Brain where it writes, else the owner."""
    attacker = Tenant(ATTACKER.id, ATTACKER.user, ATTACKER.chat_id, ATTACKER.code, reminder_id=str(uuid.uuid4()))
    victim = Tenant(VICTIM.id, VICTIM.user, VICTIM.chat_id, VICTIM.code, reminder_id=str(uuid.uuid4()))
    for t in (attacker, victim):
        outcome = await brain.submit(f"{REQUEST} for {t.id}", Actor(t.user, t.id, "operator"))
        assert outcome.status == "waiting", outcome
        t.run_id = outcome.run_id
        await brain.memory.write(t.id, f"{t.id} launches in March", kind="fact", user=t.user)
        await brain.memory.write(t.id, f"{t.user} spent 30 on a taxi", kind="expense", user=t.user)
        await brain.policies.set_workflow(t.id, "lead_processing", {"hitl": False}, author=t.user,
                                          author_tenant=t.id, author_role="tenant_admin")
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True) as owner:
        for t in (attacker, victim):
            await _seed_services(owner, t)
            cur = await owner.execute("SELECT id::text FROM memories WHERE tenant_id = %s"
                                      " UNION ALL SELECT id::text FROM approvals WHERE tenant_id = %s", (t.id, t.id))
            t.row_ids = tuple(r[0] for r in await cur.fetchall())
    yield World(db_url, await db.load_signer(db_url), attacker, victim)


@pytest.fixture
async def owner(db_url: str) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
    async with await psycopg.AsyncConnection.connect(db_url, autocommit=True, row_factory=dict_row) as conn:
        yield conn


@pytest.fixture
async def app_conn(db_url: str) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
    """A raw brain_app session: the attacker's foothold."""
    async with await psycopg.AsyncConnection.connect(db.app_url(db_url), autocommit=True) as conn:
        yield conn
