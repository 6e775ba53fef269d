"""The tool registry: every catalog tool by id, checked when it loads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tools.spec import ToolSpec


class ToolRegistryError(Exception):
    """The tool declarations are inconsistent (a developer's mistake, found at start)."""


class UnknownTool(KeyError):
    """A tool id that no declaration has."""

    def __init__(self, tool_id: str, known: Iterable[str]):
        self.tool_id = tool_id
        listed = ", ".join(sorted(known))
        super().__init__(f"unknown tool id {tool_id!r}; known tools: {listed}")

    def __str__(self) -> str:
        return str(self.args[0])


class ToolRegistry:
    """A dict of ToolSpec by id; a duplicate id is an error."""

    def __init__(self, specs: Iterable[ToolSpec] = ()):
        self._specs: dict[str, ToolSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: ToolSpec) -> None:
        if spec.id in self._specs:
            raise ToolRegistryError(f"tool id {spec.id!r} is declared twice")
        system, _, name = spec.id.partition(".")
        if not system or not name:
            raise ToolRegistryError(f"tool id {spec.id!r} must look like system.entity_verb")
        self._specs[spec.id] = spec

    def get(self, tool_id: str) -> ToolSpec:
        try:
            return self._specs[tool_id]
        except KeyError:
            raise UnknownTool(tool_id, self._specs) from None

    def __contains__(self, tool_id: object) -> bool:
        return tool_id in self._specs

    def __iter__(self) -> Iterator[ToolSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def ids(self) -> list[str]:
        return sorted(self._specs)


def default_registry() -> ToolRegistry:
    """All tools this build declares."""
    from tools.catalog import all_tools

    return ToolRegistry(all_tools())
