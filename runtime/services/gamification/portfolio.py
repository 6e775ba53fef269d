"""Portfolio showcase entries: a draft case study from an achievement and the tenant's data.

The text comes from the configured model when there is one, else from a fixed template; both use
only the facts gathered here. An entry asked to be public is published only when a person approved
that call (or a policy let it run as destructive); until then it waits as `awaiting_approval`.
One entry per (subject, title): a repeat updates it.
"""

from __future__ import annotations

import json
from typing import Any

from psycopg.types.json import Jsonb

from runtime.llm import Model, ModelError
from runtime.services.gamification import achievements
from runtime.services.gamification.store import Row, Scope, cleared_by, fetch, fetch_one, plain

PORTFOLIO_TOOL = "gamification.portfolio_entry_create"
SYSTEM_PROMPT = (
    "You write short portfolio case studies for a marketing agency. Use only the facts given: do not invent "
    "numbers, names or quotes. Plain text, under 180 words: a headline, the challenge, what was done, the results "
    "with the given metrics, and the testimonial if one is given."
)


async def gather(conn: Any, scope: Scope, subject: str, achievement: str | None) -> dict[str, Any]:
    """What the tenant's data says about the subject: its badges and referrals."""
    earned = await achievements.awarded(conn, scope, subject)
    linked = None
    if achievement:
        defn = await achievements.definition(conn, scope, achievement)
        award = earned.get(achievement.casefold())
        linked = {"achievement": defn["achievement"] if defn else achievement,
                  "description": defn["description"] if defn else None,
                  "earned": award is not None, "evidence": award["evidence"] if award else None,
                  "awarded_at": plain(award["awarded_at"]) if award else None}
    referrals = await fetch(
        conn, "SELECT count(*) AS n FROM gamification_redemptions r JOIN gamification_referral_codes c"
              " ON c.tenant_id = r.tenant_id AND c.space = r.space AND c.code = r.code WHERE r.tenant_id = %s"
              " AND r.space = %s AND lower(c.referrer) = lower(%s) AND r.status = 'granted'", (*scope.key, subject))
    return {"badges": [row["achievement"] for row in earned.values()], "achievement": linked,
            "referrals_granted": int(referrals[0]["n"]) if referrals else 0}


def template(entry: dict[str, Any], facts: dict[str, Any]) -> str:
    """The deterministic draft: headline, summary, results, recognition, testimonial."""
    lines = [entry["title"], "=" * len(entry["title"]), "", entry["summary"]]
    metrics = entry.get("metrics") or {}
    if metrics:
        lines += ["", "Results:"] + [f"- {str(k).replace('_', ' ')}: {v}" for k, v in metrics.items()]
    linked = facts.get("achievement")
    recognition = []
    if linked:
        state = "earned" if linked["earned"] else "working towards"
        detail = f" ({linked['description']})" if linked.get("description") else ""
        recognition.append(f"{entry['subject']} {state} the {linked['achievement']} achievement{detail}.")
        if linked.get("evidence"):
            recognition.append(f"Evidence: {linked['evidence']}.")
    others = [b for b in facts.get("badges", []) if not linked or b.casefold() != linked["achievement"].casefold()]
    if others:
        recognition.append(f"Other badges: {', '.join(others)}.")
    if facts.get("referrals_granted"):
        recognition.append(f"Referred {facts['referrals_granted']} new client(s) to us.")
    if recognition:
        lines += ["", "Recognition:", *recognition]
    if entry.get("testimonial"):
        lines += ["", f"\u201c{entry['testimonial']}\u201d \u2014 {entry['subject']}"]
    return "\n".join(lines)


async def compose(model: Model | None, entry: dict[str, Any], facts: dict[str, Any]) -> tuple[str, str]:
    """(text, source): the model's text when a model is configured and answers, else the template."""
    if model is None:
        return template(entry, facts), "template"
    payload = json.dumps({"entry": entry, "facts": facts}, default=str, ensure_ascii=False)
    try:
        reply = await model.complete([{"role": "system", "content": SYSTEM_PROMPT},
                                      {"role": "user", "content": f"Write the case study from these facts:\n{payload}"}])
    except ModelError as exc:
        return template(entry, facts), f"template (the model failed: {exc})"
    if not (reply.text or "").strip():
        return template(entry, facts), "template (the model returned no text)"
    return reply.text.strip() if reply.text else "", f"model:{model.name}"


def _status(visibility: str, approved: str | None) -> str:
    if visibility == "public":
        return "published" if approved else "awaiting_approval"
    return visibility


def entry_out(row: Row) -> dict[str, Any]:
    keys = ("subject", "title", "summary", "body", "text_source", "metrics", "achievement", "testimonial", "visibility",
            "status", "approved_by")
    return {k: plain(row[k]) for k in keys}


async def save(conn: Any, scope: Scope, entry: dict[str, Any], body: str, source: str) -> dict[str, Any]:
    approved = None
    if entry["visibility"] == "public":
        approved = await cleared_by(conn, scope, PORTFOLIO_TOOL, {"subject": entry["subject"], "title": entry["title"]})
    status = _status(entry["visibility"], approved)
    before = await fetch_one(conn, "SELECT id FROM gamification_portfolio_entries WHERE tenant_id = %s AND space = %s"
                                   " AND lower(subject) = lower(%s) AND lower(title) = lower(%s)",
                             (*scope.key, entry["subject"], entry["title"]))
    row = await fetch_one(
        conn, "INSERT INTO gamification_portfolio_entries (tenant_id, space, subject, title, summary, body, text_source,"
              " metrics, achievement, testimonial, visibility, status, approved_by, created_by)"
              " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
              " ON CONFLICT (tenant_id, space, lower(subject), lower(title)) DO UPDATE SET summary = EXCLUDED.summary,"
              " body = EXCLUDED.body, text_source = EXCLUDED.text_source, metrics = EXCLUDED.metrics,"
              " achievement = EXCLUDED.achievement, testimonial = EXCLUDED.testimonial,"
              " visibility = EXCLUDED.visibility, status = EXCLUDED.status, approved_by = EXCLUDED.approved_by,"
              " updated_at = now() RETURNING *",
        (*scope.key, entry["subject"], entry["title"], entry["summary"], body, source, Jsonb(entry.get("metrics") or {}),
         entry.get("achievement"), entry.get("testimonial"), entry["visibility"], status, approved, scope.user))
    assert row is not None
    out = entry_out(row) | {"updated": before is not None}
    if status == "awaiting_approval":
        out["next"] = "a public entry is published only after a person approves it: ask again through the approval flow"
    return out
