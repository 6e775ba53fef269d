"""The agent registry loads all 93 catalog agents and refuses inconsistent specs with clear messages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from agents.registry import AgentRegistry, AgentRegistryError, load_registry, load_specs
from agents.spec import AgentSpec
from policies.defaults import KNOWN_WORKFLOWS
from tools.registry import default_registry

SHARED = Path(os.environ.get("BRAIN_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
CATALOG = (SHARED / "catalog" / "agents.md").read_text()
ROWS = {m.group(1): m.group(0) for m in re.finditer(r"^\| `([a-z_]+)` \|.*$", CATALOG, re.M)}
TOOLS = default_registry().ids()


def spec(**changes: object) -> AgentSpec:
    base: dict[str, object] = {
        "id": "a_agent", "name": "A", "domain": "crm_sales", "workflow": "lead_processing", "purpose": "p",
        "tools": ["crm.lead_search"], "examples": ["find the lead from Casa Verde"],
    }
    return AgentSpec.model_validate({**base, **changes})


def test_all_93_catalog_agents_load_with_their_catalog_rows() -> None:
    registry = load_registry(TOOLS, KNOWN_WORKFLOWS)
    assert sorted(registry.ids()) == sorted(ROWS)
    for agent in registry:
        row = ROWS[agent.id]
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[1] == agent.workflow
        assert [t.strip(" `") for t in cells[3].split(",")] == agent.tools
        assert len(agent.examples) >= 12, agent.id


def test_duplicate_agent_id_is_refused() -> None:
    with pytest.raises(AgentRegistryError, match="'a_agent' is declared twice"):
        AgentRegistry([spec(), spec()])


def test_unknown_tool_and_unknown_workflow_are_named() -> None:
    registry = AgentRegistry([spec(tools=["crm.lead_serch"], workflow="lead_magic")])
    with pytest.raises(AgentRegistryError) as info:
        registry.check(TOOLS, KNOWN_WORKFLOWS)
    assert "a_agent: unknown tool id 'crm.lead_serch'" in str(info.value)
    assert "workflow 'lead_magic' is not known to the policy" in str(info.value)


def test_an_agent_needs_a_tool() -> None:
    with pytest.raises(ValueError, match="tools"):
        spec(tools=[])


def test_near_identical_examples_of_two_agents_are_refused() -> None:
    registry = AgentRegistry([
        spec(examples=["score all of last week's new leads please"]),
        spec(id="b_agent", examples=["please score all of last week's new leads"]),
    ])
    with pytest.raises(AgentRegistryError, match="a_agent and b_agent have near-identical examples"):
        registry.check(TOOLS, KNOWN_WORKFLOWS, similarity_threshold=0.9)
    registry.check(TOOLS, KNOWN_WORKFLOWS, similarity_threshold=1.01)  # the threshold is configurable


def test_a_pattern_may_only_call_the_agents_tools() -> None:
    registry = AgentRegistry([spec(patterns=[{"match": "x", "calls": [{"tool": "crm.lead_create"}]}])])
    with pytest.raises(AgentRegistryError, match="a pattern calls 'crm.lead_create'"):
        registry.check(TOOLS, KNOWN_WORKFLOWS)


def test_every_agent_has_a_prompt_file() -> None:
    registry = AgentRegistry(load_specs())
    for agent in registry:
        assert agent.id.replace("_", " ") in registry.prompt(agent.id).lower().replace("_", " ") or len(registry.prompt(agent.id)) > 200
