"""Settings of the HTTP API, read from the environment (prefixes BRAIN_API_ and BRAIN_JWT_) by one factory.

The Brain's own settings (database, Redis, model) stay in `runtime.settings.Settings`.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# DEVELOPMENT ONLY. Anyone can read this value here, so a token signed with it proves nothing.
# `brain serve` refuses to start with it unless `--dev` is given; set BRAIN_JWT_SECRET instead.
DEV_JWT_SECRET = "dev-only-insecure-jwt-secret-never-use-in-production"
MIN_SECRET_LENGTH = 32


def _jwt(name: str) -> AliasChoices:
    return AliasChoices(f"BRAIN_JWT_{name.upper()}", f"jwt_{name}")


class ApiSettings(BaseSettings):
    """Auth, limits and housekeeping of the HTTP API. Secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_prefix="BRAIN_API_", extra="ignore", populate_by_name=True)

    jwt_secret: SecretStr = Field(
        default=SecretStr(DEV_JWT_SECRET), validation_alias=_jwt("secret"),
        description="HS256 signing secret (BRAIN_JWT_SECRET, at least 32 characters); the default is for development only",
    )
    jwt_audience: str = Field(default="bizosaas-brain", validation_alias=_jwt("audience"),
                              description="the `aud` claim a token must carry (BRAIN_JWT_AUDIENCE)")
    jwt_issuer: str | None = Field(default="bizosaas-brain", validation_alias=_jwt("issuer"),
                                   description="the `iss` claim a token must carry; empty = not checked (BRAIN_JWT_ISSUER)")
    jwt_jwks_url: str | None = Field(default=None, validation_alias=_jwt("jwks_url"),
                                     description="JWKS URL: when set, tokens are RS256 and verified with its keys (BRAIN_JWT_JWKS_URL)")
    jwt_leeway_seconds: int = Field(default=10, ge=0, le=300, validation_alias=_jwt("leeway_seconds"),
                                    description="clock skew allowed on exp/iat (BRAIN_JWT_LEEWAY_SECONDS)")
    max_body_bytes: int = Field(default=64 * 1024, ge=1, description="largest request body accepted (413 above)")
    max_request_chars: int = Field(default=4000, ge=1, description="longest task request text accepted (422 above)")
    rate_limit_per_minute: int = Field(default=120, ge=0, description="requests per tenant per minute; 0 = unlimited")
    expire_interval_seconds: float = Field(default=30.0, ge=0,
                                           description="how often approval time limits are applied; 0 = never from the API")
    scheduler_interval_seconds: float = Field(default=15.0, ge=0,
                                              description="how often the in-process scheduler delivers due reminders;"
                                                          " 0 = not in the API (run `brain scheduler run` workers)")
    sse_poll_seconds: float = Field(default=0.3, gt=0, description="how often an event stream looks for new run events")
    sse_keepalive_seconds: float = Field(default=15.0, gt=0, description="idle time before an event stream sends a comment")

    access_token_seconds: int = Field(default=900, ge=30, le=86400,
                                      description="lifetime of an access token issued by /auth/login and the console")
    refresh_token_seconds: int = Field(default=7 * 86400, ge=60, le=90 * 86400,
                                       description="lifetime of a refresh token (rotated on every use)")
    login_per_minute: int = Field(default=10, ge=0, description="sign-in attempts per client address per minute; 0 = unlimited")
    login_max_failures: int = Field(default=5, ge=1, description="wrong passwords in a row before an account is locked")
    login_lockout_seconds: int = Field(default=900, ge=1, description="how long a locked account stays locked")
    cookie_secure: bool | None = Field(default=None, description="Secure flag of the console's cookies; "
                                                                 "unset = when the request came over TLS")
    eval_reports_dir: str = Field(default="bench/results", description="folder of `brain eval --html` reports the console lists")

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters (HS256 needs 256 bits)")
        return value

    @field_validator("jwt_issuer", "jwt_jwks_url")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @property
    def uses_dev_secret(self) -> bool:
        """True while tokens would be checked with the public development secret."""
        return self.jwt_jwks_url is None and self.jwt_secret.get_secret_value() == DEV_JWT_SECRET


def load_api_settings(**overrides: object) -> ApiSettings:
    """Build API settings from the environment, with explicit overrides (tests, CLI flags)."""
    return ApiSettings(**overrides)  # type: ignore[arg-type]
