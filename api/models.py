"""Request and response bodies shared by several routers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from agents.registry import load_specs
from api.deps import PREFIX

RunStatus = Literal["queued", "running", "waiting", "resuming", "done", "failed", "cancelled"]


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# Text that reaches Postgres: no NUL characters (Postgres text and jsonb refuse them); the schema says so.
PlainText = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})]


def _agent_ids(schema: dict[str, Any]) -> None:
    """The catalog's agent ids as the schema's enum (an unknown id is refused)."""
    schema["enum"] = [*sorted(spec.id for spec in load_specs()), None]
IdempotencyKey = Annotated[PlainText, Field(min_length=1, max_length=200)]


def nul_path(value: Any, path: str = "") -> str | None:
    """The path of the first string holding a NUL character inside a JSON-like value, if any."""
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = nul_path(str(key), f"{path}.{key}".lstrip(".")) or nul_path(item, f"{path}.{key}".lstrip("."))
            if found:
                return found
    if isinstance(value, list):
        for n, item in enumerate(value):
            found = nul_path(item, f"{path}.{n}".lstrip("."))
            if found:
                return found
    return None


class TaskCreate(BaseModel):
    """A plain-language request for the Brain."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"request": "add a product called Red Mug priced 12 USD to the store"}]},
    )

    request: PlainText = Field(min_length=1, description="what you want done, in plain words (length limit: settings)")
    agent: PlainText | None = Field(default=None, max_length=100, json_schema_extra=_agent_ids,
                                    description="skip routing: hand the request to this agent id (GET /agents/status lists them)")
    idempotency_key: IdempotencyKey | None = Field(
        default=None, description="the same key returns the same task instead of a new one (also: Idempotency-Key header)")


class Links(BaseModel):
    self: str
    events: str
    cancel: str


class Task(BaseModel):
    """A run as the API shows it."""

    id: str
    status: RunStatus
    request: str
    agent: str | None = Field(description="the agent that took the request, once routed")
    agent_hint: str | None = None
    confidence: float | None = Field(default=None, description="routing confidence")
    answer: str | None = None
    error: str | None = None
    user: str
    tenant: str
    created_at: datetime
    updated_at: datetime
    approval: dict[str, Any] | None = Field(default=None, description="what the run waits for, while waiting")
    links: Links


class TaskPage(BaseModel):
    items: list[Task]
    limit: int
    offset: int
    next_offset: int | None = Field(description="offset of the next page; null on the last page")


class Outcome(BaseModel):
    """Where a run stopped after an answer: waiting again, done or failed."""

    id: str
    status: RunStatus
    answer: str | None = None
    approval: dict[str, Any] | None = None
    route: dict[str, Any] | None = None
    results: list[dict[str, Any]] = Field(default_factory=list)


def task_view(run: dict[str, Any], approval: dict[str, Any] | None = None) -> Task:
    run_id = str(run["id"])
    base = f"{PREFIX}/tasks/{run_id}"
    return Task(
        id=run_id, status=run["status"], request=run["request"], agent=run.get("agent"), agent_hint=run.get("agent_hint"),
        confidence=run.get("confidence"), answer=run.get("answer"), error=run.get("error"), user=run["user_id"],
        tenant=run["tenant_id"], created_at=run["created_at"], updated_at=run["updated_at"], approval=approval,
        links=Links(self=base, events=f"{base}/events", cancel=f"{base}/cancel"),
    )
