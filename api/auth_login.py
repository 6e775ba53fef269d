"""Signing in with a local user (runtime/users.py): `/auth/login`, `/auth/refresh`, `/auth/logout`, `/auth/health`.

The access token is the same HS256 JWT the API accepts from `brain token` (claims sub, tenant, role),
short-lived (`access_token_seconds`); the refresh token is an opaque random secret, rotated on every
use. Sign-in attempts are limited per client address and per minute; wrong passwords in a row lock
the account (runtime/users.py). A wrong e-mail and a wrong password get the same 401.

With a JWKS URL configured the API accepts only the identity provider's RS256 tokens, so local
sign-in is off (503 saying so); the provider's tokens keep working on every other route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import mint_token, unauthorized
from api.deps import PREFIX, ApiState, BrainDep, State, api_state
from api.errors import ERROR_RESPONSES, ApiError, ErrorBody
from api.limits import RateLimiter
from api.models import PlainText
from runtime.brain import Brain
from runtime.users import AccountLocked, LoginRefused, SessionInvalid, User, UserStore

router = APIRouter(prefix=f"{PREFIX}/auth", tags=["auth"], responses={
    **ERROR_RESPONSES, 503: {"model": ErrorBody, "description": "the Brain is starting, or local sign-in is off"}})


@dataclass
class Accounts:
    """What signing in needs, one per app: the user store (on the Brain's pool) and the attempt limiter."""

    users: UserStore
    attempts: RateLimiter


def accounts(request: Request, brain: Brain) -> Accounts:
    found = getattr(request.app.state, "accounts", None)
    if found is None or found.users.pool is not brain.pool:
        s = api_state(request).settings
        found = Accounts(UserStore(brain.pool, max_failures=s.login_max_failures, lockout_seconds=s.login_lockout_seconds),
                         RateLimiter(s.login_per_minute))
        request.app.state.accounts = found
    return cast(Accounts, found)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class TokenPair(BaseModel):
    access_token: str = Field(description="a JWT for `Authorization: Bearer`, valid `expires_in` seconds")
    refresh_token: str = Field(description="an opaque secret for POST /auth/refresh (used once; rotated)")
    token_type: str = Field(default="bearer", description="always `bearer`")
    expires_in: int = Field(description="seconds the access token is valid")


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"email": "ops@example.com", "password": "a long passphrase"}]})

    email: Annotated[PlainText, Field(min_length=1, max_length=254)]
    password: Annotated[PlainText, Field(min_length=1, max_length=256)]


class RefreshBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Annotated[PlainText, Field(min_length=1, max_length=200)]


class AuthHealth(BaseModel):
    status: str = Field(description="ok: local sign-in works; off: a JWKS URL is configured")
    local_sign_in: bool
    algorithm: str = Field(description="the access tokens' algorithm this API accepts")
    access_token_seconds: int


def local_sign_in(state: ApiState) -> bool:
    return state.settings.jwt_jwks_url is None


def _require_local(state: ApiState) -> None:
    if not local_sign_in(state):
        raise ApiError(503, "local sign-in is off: this API accepts the identity provider's tokens only "
                            "(BRAIN_JWT_JWKS_URL is set); sign in there", code="unavailable")


async def sign_in(state: ApiState, found: Accounts, email: str, password: str, address: str,
                  redis: object | None) -> User:
    """The user, or an ApiError: 429 over the attempt limit or while locked, 401 for wrong credentials."""
    _require_local(state)
    retry = await found.attempts.hit(f"login:{address}", redis)
    if retry is not None:
        raise ApiError(429, f"too many sign-in attempts from this address; retry in {retry} s",
                       headers={"Retry-After": str(retry)})
    try:
        return await found.users.authenticate(email, password)
    except AccountLocked as exc:
        raise ApiError(429, str(exc), code="locked", headers={"Retry-After": str(exc.retry_after)}) from exc
    except LoginRefused as exc:
        raise unauthorized(str(exc)) from exc


async def issue(state: ApiState, found: Accounts, user: User) -> TokenPair:
    s = state.settings
    access = mint_token(s, user=user.email, tenant=user.tenant, role=user.role, ttl_seconds=s.access_token_seconds)
    refresh = await found.users.open_session(user, s.refresh_token_seconds)
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=s.access_token_seconds)


async def refresh_pair(state: ApiState, found: Accounts, token: str) -> TokenPair:
    _require_local(state)
    s = state.settings
    try:
        user, refresh = await found.users.rotate_session(token, s.refresh_token_seconds)
    except SessionInvalid as exc:
        raise unauthorized(str(exc)) from exc
    access = mint_token(s, user=user.email, tenant=user.tenant, role=user.role, ttl_seconds=s.access_token_seconds)
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=s.access_token_seconds)


@router.post("/login", response_model=TokenPair, summary="Sign in with a local user's e-mail and password",
             description="Answers an access token (the API's HS256 JWT, short-lived) and a refresh token. A wrong "
                         "e-mail or password is a 401 with one message for both; too many attempts from one address, "
                         "or an account locked after repeated wrong passwords, is a 429 with Retry-After.")
async def login(body: LoginBody, request: Request, state: State, brain: BrainDep) -> TokenPair:
    found = accounts(request, brain)
    user = await sign_in(state, found, body.email, body.password, client_address(request), brain.redis)
    return await issue(state, found, user)


@router.post("/refresh", response_model=TokenPair, summary="A new access token for a refresh token",
             description="The refresh token is used up: the answer carries a new one. An unknown, expired or revoked "
                         "token (or one of a disabled user) is a 401.")
async def refresh(body: RefreshBody, request: Request, state: State, brain: BrainDep) -> TokenPair:
    return await refresh_pair(state, accounts(request, brain), body.refresh_token)


@router.post("/logout", status_code=204, response_class=Response, summary="End a session (revoke its refresh token)",
             responses={204: {"description": "revoked (or it was not valid anyway)"}})
async def logout(body: RefreshBody, request: Request, brain: BrainDep) -> Response:
    await accounts(request, brain).users.revoke_session(body.refresh_token)
    return Response(status_code=204)


@router.get("/health", response_model=AuthHealth, summary="Whether local sign-in works here")
async def auth_health(state: State, brain: BrainDep) -> AuthHealth:
    on = local_sign_in(state)
    return AuthHealth(status="ok" if on else "off", local_sign_in=on, algorithm=state.verifier.algorithm,
                      access_token_seconds=state.settings.access_token_seconds)
