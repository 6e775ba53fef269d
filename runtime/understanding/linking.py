"""Entity linking: the names in planned calls, resolved against the tenant's own records.

A planned call names records as the request wrote them ("oak boards", "the Hart and Sons account").
Each argument that refers to an existing record (see `REFERENCES`) is matched against the
tenant's records of its kind (`records.py`, `names.py`):
- one record fits: the argument becomes its exact name, and the call's confidence is at most the
  closeness of the match;
- several fit equally: nothing is planned; one question lists them;
- none fits, the kind is listed in full and the call changes something: nothing is planned, and the
  answer says plainly which name was not found;
- none fits otherwise (a search, a kind seen only in part, a system that could not be read): the
  argument stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from runtime.planner.base import Plan, PlannedCall
from runtime.understanding.names import Link, choices_text, normal
from runtime.understanding.records import KINDS, TenantRecords
from tools.registry import ToolRegistry

# Arguments naming an existing record, by argument name; (tool, argument) pairs below override.
REFERENCES: dict[str, str] = {
    "product": "product", "products": "product", "collection": "collection", "category": "category",
    "page": "page", "lead": "lead", "account": "account", "dashboard": "dashboard", "chart": "chart",
    "dataset": "dataset",
}
# Arguments that name records the tool may create, or search text that is not a name.
NOT_REFERENCES: frozenset[tuple[str, str]] = frozenset({
    ("crm.contact_upsert", "account"),
    ("crm.opportunity_create", "account"),
})
# Searches whose text is usually a record's name: linked when a record fits, kept when none does.
SEARCH_TEXT: dict[tuple[str, str], str] = {
    ("saleor.product_search", "query"): "product",
    ("wagtail.page_search", "query"): "page",
    ("superset.dashboard_list", "query"): "dashboard",
    ("superset.chart_list", "query"): "chart",
    ("superset.dataset_list", "query"): "dataset",
}

_WHAT = {"product": "product", "collection": "collection", "category": "category", "page": "page", "lead": "lead",
         "account": "account", "dashboard": "dashboard", "chart": "chart", "dataset": "dataset"}
_WHERE = {"saleor": "the store", "wagtail": "the site", "crm": "the CRM", "superset": "Superset"}


@dataclass(frozen=True)
class _Problem:
    """Why a plan cannot go ahead as read: a question (several fit) or a plain answer (none fits)."""

    text: str
    question: bool = False  # several records fit: ask which (else none fits: say so)


def kind_of(tool: str, arg: str) -> tuple[str, bool] | None:
    """(kind, strict) for an argument that names a record; strict: a name matching nothing stops the call."""
    if (tool, arg) in SEARCH_TEXT:
        return SEARCH_TEXT[(tool, arg)], False
    if (tool, arg) in NOT_REFERENCES or arg not in REFERENCES:
        return None
    return REFERENCES[arg], True


_AND = re.compile(r"^\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:the\s+|our\s+)?(?P<name>[A-Z0-9][\w'’-]*(?:\s+[A-Z0-9(][\w'’()-]*)*)")


def _listed_with(request: str, value: str, link: Callable[[str], Link]) -> list[str]:
    """Names written as a list right after `value` in the request ("the Oak Board and the Basalt Tray"), unless
    the longer text is itself one name ("Salt and Pepper Set")."""
    at = request.casefold().find(value.casefold())
    if at < 0:
        return []
    rest, names = request[at + len(value):], []
    while (found := _AND.match(rest)) is not None:
        joined = request[at:at + len(value)] + rest[:found.end()]
        whole = link(joined).found
        if whole is not None and normal(whole) == normal(joined):
            break
        names.append(found.group("name"))
        rest = rest[found.end():]
    return names


async def link_plan(plan: Plan, tenant: str, records: TenantRecords, tools: ToolRegistry, request: str = "") -> Plan:
    """The plan with its calls' record names linked; or an answer when a name fits several records or none.
    A write's object followed in the request by more names ("A and the B") is done for each of them."""
    if not plan.calls or not tenant:
        return plan
    calls: list[PlannedCall] = []
    confidence = plan.confidence
    missing: list[str] = []
    queue = list(plan.calls)
    while queue:
        call = queue.pop(0)
        writes = tools.get(call.tool).risk.value != "read"
        args = dict(call.args)
        for arg, value in call.args.items():
            found = kind_of(call.tool, arg)
            if found is None:
                continue
            kind, strict = found
            index = await records.index(tenant, kind)
            if index is None or not len(index):
                continue
            if writes and request and isinstance(value, str | list):
                items = value if isinstance(value, list) else [value]
                extra = [n for v in items if isinstance(v, str) for n in _listed_with(request, v, index.link)]
                planned = {str(v).casefold() for c in [*plan.calls, *calls, *queue] for v in _as_list(c.args.get(arg))}
                extra = [n for n in extra if n.casefold() not in planned]
                if isinstance(value, list):
                    value = [*value, *extra]
                else:  # one call each: "unpublish the Oak Board and the Fern Tote"
                    queue.extend(replace(call, args={**call.args, arg: name}) for name in extra)
            linked, score, problem = _link_value(value, kind, index.link, strict and writes and KINDS[kind].complete)
            if problem is not None and problem.question:
                return Plan(answer=problem.text, confidence=0.0)
            if problem is not None:
                missing.append(problem.text)
                continue
            args[arg] = linked
            confidence = min(confidence, score)
        calls.append(replace(call, args=tools.get(call.tool).canonical_args(args)))
    if missing:
        return Plan(answer=" ".join(dict.fromkeys(missing)) + " Nothing was changed; check the name and ask again.",
                    confidence=0.0)
    calls = [replace(c, call_id=_renumbered(plan.calls[0].call_id, i)) for i, c in enumerate(calls)]
    return Plan(calls=calls, answer=plan.answer, confidence=confidence)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _renumbered(first_id: str, index: int) -> str:
    step = first_id.split(".")[0]
    return f"{step}.{index}"


def _link_value(value: Any, kind: str, link: Any, strict: bool) -> tuple[Any, float, _Problem | None]:
    """One argument's value (a name or a list of names) linked; (new value, score, problem)."""
    if isinstance(value, list):
        out: list[Any] = []
        score = 1.0
        for item in value:
            one, item_score, problem = _link_value(item, kind, link, strict)
            if problem is not None:
                return value, 0.0, problem
            out.append(one)
            score = min(score, item_score)
        return out, score, None
    if not isinstance(value, str) or not value.strip():
        return value, 1.0, None
    result: Link = link(value)
    if result.found is not None:
        return result.found, result.score, None
    what = _WHAT[kind]
    if result.ambiguous:
        return value, 0.0, _Problem(f"Which {what} do you mean: {choices_text(result.choices)}?", question=True)
    if strict:
        where = _WHERE[KINDS[kind].system]
        return value, 0.0, _Problem(f"I found no {what} named '{value}' in {where}.")
    return value, 1.0, None


def wrote(results: Sequence[dict[str, Any]], tools: ToolRegistry) -> bool:
    """Whether any of these results is a change that was made (the tenant's records may differ now)."""
    return any(r.get("status") == "ok" and r.get("tool") in tools and tools.get(r["tool"]).risk.value != "read"
               for r in results)
