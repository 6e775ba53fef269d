"""Where a run stopped after it was driven: ended, waiting for a person, or left to another process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunOutcome:
    run_id: str
    status: str
    answer: str | None = None
    approval: dict[str, Any] | None = None
    route: dict[str, Any] | None = None
    results: list[dict[str, Any]] = field(default_factory=list)
