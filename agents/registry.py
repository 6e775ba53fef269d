"""The agent registry: every spec under agents/specs, checked against tools and policies at load."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from importlib import resources
from itertools import combinations
from typing import Any

import yaml
from pydantic import ValidationError

from agents.spec import AgentSpec

SPECS_PACKAGE = "agents.specs"
PROMPTS_PACKAGE = "agents.prompts"


class AgentRegistryError(Exception):
    """The agent specs are inconsistent; the message names the agent and what to fix."""


class UnknownAgent(KeyError):
    def __init__(self, agent_id: str, known: Iterable[str]):
        super().__init__(f"unknown agent id {agent_id!r}; known agents: {', '.join(sorted(known))}")

    def __str__(self) -> str:
        return str(self.args[0])


_WORD = re.compile(r"[a-z0-9$%]+")


def _tokens(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


class AgentRegistry:
    """Agents by id, in load order."""

    def __init__(self, specs: Iterable[AgentSpec]):
        self._specs: dict[str, AgentSpec] = {}
        for spec in specs:
            if spec.id in self._specs:
                raise AgentRegistryError(f"agent id {spec.id!r} is declared twice")
            self._specs[spec.id] = spec

    def get(self, agent_id: str) -> AgentSpec:
        try:
            return self._specs[agent_id]
        except KeyError:
            raise UnknownAgent(agent_id, self._specs) from None

    def __contains__(self, agent_id: object) -> bool:
        return agent_id in self._specs

    def __iter__(self) -> Iterator[AgentSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def ids(self) -> list[str]:
        return list(self._specs)

    def prompt(self, agent_id: str) -> str:
        spec = self.get(agent_id)
        path = resources.files(PROMPTS_PACKAGE) / spec.prompt_file
        if path.is_file():
            return path.read_text()
        return f"You are the {spec.name} agent. {spec.purpose}"

    def check(
        self, tool_ids: Iterable[str], workflows: Iterable[str], *, similarity_threshold: float = 0.9
    ) -> None:
        """Raise AgentRegistryError listing every problem: unknown tools, workflows, near-duplicate examples."""
        known_tools, known_workflows = set(tool_ids), set(workflows)
        problems: list[str] = []
        for spec in self:
            for tool in spec.tools:
                if tool not in known_tools:
                    problems.append(f"{spec.id}: unknown tool id {tool!r}")
            for pattern in spec.patterns:
                for call in pattern.calls:
                    if call.tool not in spec.tools:
                        problems.append(f"{spec.id}: a pattern calls {call.tool!r}, which is not in its tools")
            if spec.workflow not in known_workflows:
                problems.append(
                    f"{spec.id}: workflow {spec.workflow!r} is not known to the policy "
                    f"(known: {', '.join(sorted(known_workflows))})"
                )
        problems.extend(self._near_duplicates(similarity_threshold))
        if problems:
            raise AgentRegistryError("agent registry does not load:\n  " + "\n  ".join(problems))

    def _near_duplicates(self, threshold: float) -> list[str]:
        examples = tuple((spec.id, text) for spec in self for text in spec.examples)
        return list(_near_duplicate_examples(examples, threshold))


@functools.lru_cache(maxsize=8)
def _near_duplicate_examples(examples: tuple[tuple[str, str], ...], threshold: float) -> tuple[str, ...]:
    """Every pair of examples of two agents that share nearly all their words (a pure function of the
    examples: a process opening many Brains over the same catalog compares them once)."""
    owners = [(agent_id, text, _tokens(text)) for agent_id, text in examples]
    found = []
    for (a_id, a_text, a_tok), (b_id, b_text, b_tok) in combinations(owners, 2):
        if a_id != b_id and len(a_tok) > 2 and _jaccard(a_tok, b_tok) >= threshold:
            found.append(f"{a_id} and {b_id} have near-identical examples: {a_text!r} / {b_text!r}")
    return tuple(found)


# libyaml's safe loader when PyYAML was built with it (same documents, about ten times faster).
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_specs() -> list[AgentSpec]:
    """Parse every YAML file under agents/specs; a bad file names itself and the field."""
    folder = resources.files(SPECS_PACKAGE)
    specs: list[AgentSpec] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".yaml"):
            continue
        data: Any = yaml.load(entry.read_text(), Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
        try:
            specs.append(AgentSpec.model_validate(data))
        except ValidationError as exc:
            raise AgentRegistryError(f"agents/specs/{entry.name}: {exc}") from exc
    return specs


def load_out_of_scope() -> list[str]:
    """Hand-written requests that no agent serves (agents/out_of_scope.yaml)."""
    data: Any = yaml.safe_load((resources.files("agents") / "out_of_scope.yaml").read_text())
    return [str(text) for text in data["examples"]]


def load_registry(
    tool_ids: Iterable[str], workflows: Iterable[str], *, similarity_threshold: float = 0.9
) -> AgentRegistry:
    registry = AgentRegistry(load_specs())
    registry.check(tool_ids, workflows, similarity_threshold=similarity_threshold)
    return registry
