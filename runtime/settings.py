"""Settings of the Brain, read from the environment (prefix BRAIN_) by one factory."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from memory.embeddings import Embedder, LiteLLMEmbedder, MiniLMEmbedder
from memory.onnx_minilm import OnnxMiniLMEmbedder

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything configurable. Secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_prefix="BRAIN_", extra="ignore")

    home: Path = Field(default=Path(".brain"), description="folder for local state: embedded Postgres data, sandbox state")
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("BRAIN_DATABASE_URL", "DATABASE_URL"),
        description="Postgres URL; unset = an embedded Postgres 16 + pgvector (pgserver) under <home>/pgdata",
    )
    app_database_url: str | None = Field(
        default=None, description="URL for the application role (brain_app); unset = DATABASE_URL with user brain_app"
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("BRAIN_REDIS_URL", "REDIS_URL"),
        description="Redis URL for run events; unset = runs and events stay in process and Postgres",
    )
    model: str | None = Field(default=None, description="litellm model name (e.g. openai/gpt-4o-mini); unset = offline planner")
    model_api_base: str | None = Field(default=None, description="base URL of an OpenAI-compatible endpoint (Ollama, vLLM)")
    model_api_key: SecretStr | None = Field(default=None, description="API key for the model provider")
    embedding_model: str | None = Field(default=None, description="litellm embedding model; unset = offline all-MiniLM-L6-v2")
    embedding_dim: int = Field(default=384, description="dimension of the configured embedding model")
    embedding_runtime: Literal["onnx", "torch"] = Field(
        default="onnx", description="how the offline MiniLM runs: ONNX Runtime (exported once from the installed "
        "weights, same vectors, ~4x faster) or sentence-transformers on torch")
    model_cache: Path | None = Field(
        default=None, description="folder for the exported ONNX model; unset = $XDG_CACHE_HOME/brain or ~/.cache/brain")
    plan_confidence: Literal["trained", "rules"] = Field(
        default="trained", description="offline plans: each call's confidence from the trained tool classifier and "
        "the rules' evidence (understanding/confidence.py), or the rules' constants alone (to refit the former)")
    otel: Literal["off", "console", "otlp"] | None = Field(
        default=None, description="OpenTelemetry traces: console, otlp, or off; unset = otlp when "
        "OTEL_EXPORTER_OTLP_ENDPOINT is set, else off")
    specs_dir: Path = Field(default=REPO_ROOT.parent / "shared" / "specs", description="reference specs (Saleor schema)")
    saleor_url: str | None = Field(default=None, description="Saleor GraphQL URL; unset = the local sandbox stand-in")
    saleor_token: SecretStr | None = Field(default=None, description="Saleor app token")
    saleor_email: str = Field(default="staff@example.com", description="Saleor staff email (sandbox default)")
    saleor_password: SecretStr = Field(default=SecretStr("sandbox"), description="Saleor staff password (sandbox default)")
    wagtail_url: str | None = Field(default=None, description="Wagtail site root URL (API v2 reads, v3 writes); unset = sandbox")
    wagtail_token: SecretStr | None = Field(default=None, description="Wagtail API v3 bearer token")
    crm_url: str | None = Field(default=None, description="django-crm (BottleCRM) root URL; unset = sandbox")
    crm_token: SecretStr | None = Field(default=None, description="CRM personal access token (bcrm_pat_...)")
    superset_url: str | None = Field(default=None, description="Superset root URL; unset = sandbox")
    superset_username: str = Field(default="admin", description="Superset user for /api/v1/security/login")
    superset_password: SecretStr = Field(default=SecretStr("sandbox"), description="Superset password")
    superset_database: str = Field(default="analytics", description="default SQL Lab database name")
    telegram_bot_token: SecretStr | None = Field(default=None, description="Telegram bot token")
    telegram_webhook_secret: SecretStr | None = Field(default=None, description="secret checked on webhook calls")
    telegram_api_url: str | None = Field(default=None, description="Bot API base URL (a local Bot API server); unset = api.telegram.org")
    telegram_daily_limit: int = Field(default=200, ge=0, description="messages the telegram tools may send per tenant per day")
    router_decline_threshold: float = Field(default=-0.6, description="best agent's classifier score below this: decline")
    router_clarify_confidence: float = Field(default=0.3, description="below this confidence, close candidates get a question")
    router_clarify_margin: float = Field(default=0.1, description="candidates within this score of the best are 'close'")
    router_llm_threshold: float = Field(default=0.6, description="with a model, route by LLM among top-k below this confidence")
    router_top_k: int = Field(default=5, description="candidates kept by the router")
    max_steps: int = Field(default=6, description="planning rounds an agent gets in one run")
    max_handoffs: int = Field(default=2, description="agents a request may pass through")
    crew_max_steps: int = Field(default=40, ge=1, description="model turns a crew gets in all (its agents and its "
                                "manager) before it is stopped with what it did so far")
    log_level: str = Field(default="WARNING", description="structlog level")
    run_lease_seconds: float = Field(default=30.0, gt=0, description="a run's lease; renewed every third of it while "
                                     "a process advances the run; after it ends unrenewed, any worker continues the run")
    run_max_attempts: int = Field(default=20, ge=1, description="claims of one run before it is failed as a run that "
                                  "kills or stalls every worker taking it")
    worker_concurrency: int = Field(default=4, ge=1, description="runs one worker process advances at once")
    worker_poll_seconds: float = Field(default=1.0, gt=0, description="how often an idle worker looks for due runs "
                                       "(it is also woken at once by a NOTIFY when a run is submitted)")
    code_version: str | None = Field(default=None, description="the code version stamped on the runs this process "
                                     "starts; a worker leaves started runs of other versions to their own workers; "
                                     "unset = a hash of the graph (runtime/engine/version.py)")
    temporal_address: str | None = Field(default=None, description="Temporal frontend host:port; set = runs execute "
                                         "as Temporal workflows (`brain worker --engine temporal`); unset = lease workers")
    temporal_namespace: str = Field(default="default", description="Temporal namespace of the run workflows")
    temporal_task_queue: str = Field(default="brain-runs", description="task queue prefix; a worker polls "
                                     "<prefix>@<code version>, so versions never replay each other's workflows")
    temporal_heartbeat_seconds: float = Field(default=10.0, gt=0, description="an activity advancing a run heartbeats; "
                                              "silent this long, Temporal retries it on another worker")
    temporal_sweep_seconds: float = Field(default=5.0, gt=0, description="how often a Temporal worker starts "
                                          "workflows for runs that have none (an API that died before starting one)")

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def sandbox_dir(self) -> Path:
        return self.home / "sandbox"


def make_embedder(settings: Settings) -> Embedder:
    """The configured embedder: a litellm model when named, else MiniLM offline."""
    if settings.embedding_model:
        key = settings.model_api_key.get_secret_value() if settings.model_api_key else None
        return LiteLLMEmbedder(settings.embedding_model, settings.embedding_dim, api_base=settings.model_api_base, api_key=key)
    if settings.embedding_runtime == "onnx":
        return OnnxMiniLMEmbedder(cache_dir=settings.model_cache)
    return MiniLMEmbedder()


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (tests, CLI flags)."""
    return Settings(**overrides)  # type: ignore[arg-type]
