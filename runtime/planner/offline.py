"""The offline planner: the agent's declared request patterns, deterministic, no model.

A pattern's regex picks the intent; its named groups and the built-in slots fill the call
templates. A required argument still missing becomes a clarifying question naming it.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from pydantic import ValidationError

from agents.spec import CallTemplate, RequestPattern
from runtime.planner.base import Plan, PlannedCall, PlanningContext, compose_answer
from runtime.planner.intents import plan_intents, split_names
from runtime.understanding.confidence import Understanding
from runtime.understanding.guard import agents_vocabulary, unreadable
from runtime.understanding.linking import link_plan, wrote
from runtime.understanding.records import KINDS, TenantRecords
from runtime.understanding.slots import builtin_slots, things_named
from tools.registry import ToolRegistry

_TEMPLATE = re.compile(r"\{([a-z_]+)(?:\|([^}]*))?\}")
_LEADING = re.compile(r"^(?:the|a|an|our|my)\s+", re.I)
PATTERN_CONFIDENCE = 0.95
INTENT_CONFIDENCE = 0.8  # the tool's words, not the agent's own pattern
THING_KINDS = ("product", "collection", "category", "page")


_TRAILING = re.compile(r"(?:\s+(?:pls|plz|please|thanks|thx|asap|straight\s+away|right\s+away|right\s+now|immediately))+$",
                       re.I)
_KIND_WORD = re.compile(r"^(?:image|photo|picture)\s+(?=\S)")  # "the image IMG_4471" names IMG_4471


def _clean(value: str) -> str:
    value = value.strip().strip(".,;:!?\"'").strip()
    value = _TRAILING.sub("", value).strip(".,;:!? ")
    return _KIND_WORD.sub("", _LEADING.sub("", value).strip())


def extract_slots(request: str, match: re.Match[str]) -> dict[str, str]:
    """Built-in slots first; the pattern's own named groups win over them."""
    slots = builtin_slots(request)
    for name, value in match.groupdict().items():
        if value:
            slots[name] = _clean(value)
    return slots


NAMED_LISTS = frozenset({"products", "collections", "categories", "add_tags", "remove_tags", "tags"})


def _fill(value: Any, slots: dict[str, str], split: bool = False) -> Any:
    """Fill {slot} and {slot|default}; a template whose slot is missing yields None (arg dropped)."""
    if isinstance(value, list):
        items: list[Any] = []
        for v in value:
            filled = _fill(v, slots)
            if split and isinstance(v, str) and _TEMPLATE.fullmatch(v) and isinstance(filled, str):
                items.extend(split_names(filled))  # ["{products}"] from "the Felt Hat and the Rain Cape"
            elif filled is not None:
                items.append(filled)
        return items
    if isinstance(value, dict):
        return {k: _fill(v, slots, k in NAMED_LISTS) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    whole = _TEMPLATE.fullmatch(value)
    if whole:
        name, default = whole.groups()
        return slots.get(name, default)
    missing = False

    def repl(m: re.Match[str]) -> str:
        nonlocal missing
        found = slots.get(m.group(1), m.group(2))
        if found is None:
            missing = True
            return ""
        return found

    text = _TEMPLATE.sub(repl, value)
    return None if missing else text


_NEUTRAL = ("", "zq xv")


def catches_all(pattern: RequestPattern) -> bool:
    """A pattern that fits any request (only optional parts, or '.'): the agent's default action."""
    regex = pattern.regex()
    return all(regex.search(text) for text in _NEUTRAL[1:]) or regex.search(_NEUTRAL[0]) is not None


def _last_round_stale(results: list[dict[str, Any]]) -> bool:
    """The last calls were not run because their target changed since the proposal: propose again."""
    last = max(r["call_id"].split(".")[0] for r in results)
    return all(r.get("status") == "stale" for r in results if r["call_id"].split(".")[0] == last)


class OfflinePlanner:
    def __init__(self, tools: ToolRegistry, records: TenantRecords | None = None,
                 understanding: Understanding | None = None):
        self.tools = tools
        self.records = records
        self.understanding = understanding
        self._known: frozenset[str] | None = None

    @property
    def known_words(self) -> frozenset[str]:
        if self._known is None:
            self._known = agents_vocabulary(tuple(t.description for t in self.tools))
        return self._known

    async def aplan(self, ctx: PlanningContext) -> Plan:
        """`plan`, then the names in its calls linked against the tenant's records, then each call's
        confidence from the trained classifier and that evidence (see understanding/)."""
        if self.records is None or not ctx.tenant:
            plan = self.plan(ctx)
        else:
            if wrote(ctx.results, self.tools):
                self.records.invalidate(ctx.tenant)
            # The tenant's things and companies are not read as people (see slots.find_person).
            with things_named(await self._names(ctx, THING_KINDS), await self._names(ctx, ("account",))):
                plan = self.plan(ctx)
            plan = await link_plan(plan, ctx.tenant, self.records, self.tools, ctx.request)
        if self.understanding is not None and plan.calls:
            plan = await asyncio.to_thread(self.understanding.score, plan, ctx, self.tools)
        return plan

    async def _names(self, ctx: PlanningContext, kinds: tuple[str, ...]) -> list[str]:
        """The names of the tenant's records of these kinds, in the systems the agent works in."""
        assert self.records is not None
        systems = {tool.split(".")[0] for tool in ctx.agent.tools}
        names: list[str] = []
        for kind in kinds:
            if KINDS[kind].system in systems and (index := await self.records.index(ctx.tenant, kind)) is not None:
                names.extend(index.names)
        return names

    def plan(self, ctx: PlanningContext) -> Plan:
        if ctx.results and not _last_round_stale(ctx.results):
            return Plan(answer=compose_answer(ctx.results, self.tools))
        problem = unreadable(ctx.request, self.known_words)
        if problem is not None:
            return Plan(answer=problem, confidence=0.0)
        fallback: tuple[RequestPattern, re.Match[str]] | None = None
        for pattern in ctx.agent.patterns:
            match = pattern.regex().search(ctx.request)
            if match and not catches_all(pattern):
                planned = self._from_pattern(ctx, pattern, match)
                if planned.calls and all(self.tools.get(c.tool).risk.value == "read" for c in planned.calls):
                    # The agent's pattern only looks; if the request plainly asks for a change, make it,
                    # unless the change is destructive: then looking first is the agent's deliberate answer
                    # (an erasure request whose identity is not checked yet, say).
                    return self._from_intents(ctx, destructive=False) or planned
                return planned
            if match and fallback is None:
                fallback = (pattern, match)
        if fallback is not None and self._writes(fallback[0]):
            return self._from_pattern(ctx, *fallback)  # the agent's own default is a change: keep it
        intended = self._from_intents(ctx, ask=True)
        if intended is not None:
            return intended
        if fallback is not None:
            return self._from_pattern(ctx, *fallback)
        examples = "; ".join(f'"{e}"' for e in ctx.agent.examples[:2])
        return Plan(
            answer=(
                f"This looks like a job for {ctx.agent.name}, but without a language model I could not work out "
                f"the exact action. Try wording it like: {examples}."
            ),
            confidence=0.0,
        )

    def _from_pattern(self, ctx: PlanningContext, pattern: RequestPattern, match: re.Match[str]) -> Plan:
        slots = extract_slots(ctx.request, match)
        calls: list[PlannedCall] = []
        for template in pattern.calls:
            if any(slot not in slots for slot in template.when):
                continue
            problem = self._check(template, slots)
            if problem:
                return Plan(answer=problem, confidence=0.0)
            args = self.tools.get(template.tool).canonical_args(
                {k: v for k, v in _fill(template.args, slots).items() if v is not None}
            )
            calls.append(PlannedCall(call_id=f"{ctx.step}.{len(calls)}", tool=template.tool, args=args))
        return Plan(calls=calls, confidence=PATTERN_CONFIDENCE)

    def _writes(self, pattern: RequestPattern) -> bool:
        return any(self.tools.get(c.tool).risk.value != "read" for c in pattern.calls)

    def _from_intents(self, ctx: PlanningContext, *, destructive: bool = True, ask: bool = False) -> Plan | None:
        """The writes the request asks for in the words of the agent's tools (see intents.py), when every
        required argument could be read. When none could and `ask`, a question naming what is missing
        ("cancel it": which order?); else None, and the agent's catch-all answers instead."""
        slots = builtin_slots(ctx.request)
        calls: list[PlannedCall] = []
        missing: str | None = None
        for tool_id, raw in plan_intents(ctx.request, slots, ctx.agent.tools):
            tool = self.tools.get(tool_id)
            if not destructive and tool.risk.value == "destructive":
                continue
            try:
                tool.validate_args(raw)
            except ValidationError as exc:
                first = exc.errors()[0]
                if first["type"] == "missing" and missing is None:
                    missing = ".".join(str(p) for p in first["loc"]).replace("_", " ")
                continue
            calls.append(PlannedCall(call_id=f"{ctx.step}.{len(calls)}", tool=tool_id, args=tool.canonical_args(raw)))
        if calls:
            return Plan(calls=calls, confidence=INTENT_CONFIDENCE)
        if ask and missing:
            return Plan(answer=f"To do that I need the {missing}. Could you tell me?", confidence=0.0)
        return None

    def _check(self, template: CallTemplate, slots: dict[str, str]) -> str | None:
        tool = self.tools.get(template.tool)
        args = {k: v for k, v in _fill(template.args, slots).items() if v is not None}
        try:
            tool.validate_args(args)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "arguments"
            if first["type"] == "missing":
                return f"To do that I need the {field.replace('_', ' ')}. Could you tell me?"
            return f"I could not use the {field.replace('_', ' ')} I understood: {first['msg']}."
        return None
