"""JWT bearer auth: who calls (user, tenant, role), from a token's `sub`, `tenant` and `role` claims.

HS256 with the configured secret by default; RS256 with the keys of a JWKS URL when one is
configured (keys fetched with httpx and cached by PyJWKClient). Every refusal is a 401 that
says why: missing, malformed, expired, forged, wrong audience or issuer, unknown role.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
from fastapi.security import HTTPBearer
from jwt import PyJWKClient
from jwt.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
)

from api.errors import ApiError
from api.settings import ApiSettings
from policies.model import ROLE_RANK
from runtime.runs import Actor

ROLES = tuple(sorted(ROLE_RANK, key=ROLE_RANK.__getitem__))
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="brain"'}
MAX_CLAIM_CHARS = 200


def unauthorized(reason: str) -> ApiError:
    return ApiError(401, reason, code="unauthorized", headers=CHALLENGE)


class HttpxJWKClient(PyJWKClient):
    """PyJWKClient whose JWKS fetch goes through httpx (the HTTP client of this project, mockable with respx)."""

    def fetch_data(self) -> Any:
        try:
            response = httpx.get(self.uri, headers=self.headers, timeout=self.timeout, follow_redirects=False)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise PyJWKClientConnectionError(f"cannot fetch the signing keys from {self.uri}: {exc}") from exc
        data = self._as_jwk_set_payload(data)
        if self.jwk_set_cache is not None:
            self.jwk_set_cache.put(data)
        self._last_successful_fetch = time.monotonic()
        return data


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value.strip():
        raise unauthorized(f"token has no {name!r} claim (a non-empty string is needed)")
    if len(value) > MAX_CLAIM_CHARS or any(ord(ch) < 32 for ch in value):
        raise unauthorized(f"token claim {name!r} is not a plain id of at most {MAX_CLAIM_CHARS} characters")
    return value


class TokenVerifier:
    """Checks a bearer token and returns the Actor it names."""

    def __init__(self, settings: ApiSettings):
        self.settings = settings
        self.jwks = HttpxJWKClient(settings.jwt_jwks_url, timeout=5) if settings.jwt_jwks_url else None

    @property
    def algorithm(self) -> str:
        return "RS256" if self.jwks is not None else "HS256"

    async def _key(self, token: str) -> Any:
        if self.jwks is None:
            return self.settings.jwt_secret.get_secret_value()
        try:
            signing_key = await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)
        except PyJWKClientConnectionError as exc:
            raise ApiError(503, f"the identity provider's keys cannot be fetched now: {exc}", code="unavailable") from exc
        except PyJWKClientError as exc:
            raise unauthorized(f"token is signed with a key the identity provider does not publish ({exc})") from exc
        except InvalidTokenError as exc:
            raise unauthorized(f"token is not a valid JWT ({exc})") from exc
        return signing_key.key

    def _check_algorithm(self, token: str) -> None:
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except InvalidTokenError as exc:
            raise unauthorized(f"token is not a valid JWT ({exc})") from exc
        if algorithm != self.algorithm:
            raise unauthorized(f"token algorithm {algorithm!r} is not accepted: this API accepts {self.algorithm} only")

    async def verify(self, token: str) -> Actor:
        s = self.settings
        self._check_algorithm(token)
        key = await self._key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=[self.algorithm], audience=s.jwt_audience, issuer=s.jwt_issuer,
                leeway=s.jwt_leeway_seconds, options={"require": ["exp", "sub"]},
            )
        except ExpiredSignatureError as exc:
            raise unauthorized("token expired; get a new one (`brain token` for development)") from exc
        except InvalidAudienceError as exc:
            raise unauthorized(f"token audience is wrong: this API accepts audience {s.jwt_audience!r}") from exc
        except InvalidIssuerError as exc:
            raise unauthorized(f"token issuer is wrong: this API accepts issuer {s.jwt_issuer!r}") from exc
        except InvalidSignatureError as exc:
            raise unauthorized("token signature does not verify: it is forged or signed with another key") from exc
        except InvalidAlgorithmError as exc:
            raise unauthorized(f"token algorithm is not accepted: this API accepts {self.algorithm} only") from exc
        except MissingRequiredClaimError as exc:
            raise unauthorized(f"token has no {exc.claim!r} claim") from exc
        except ImmatureSignatureError as exc:
            raise unauthorized(f"token is not valid yet ({exc})") from exc
        except DecodeError as exc:
            raise unauthorized(f"token is not a valid JWT ({exc})") from exc
        except InvalidTokenError as exc:
            raise unauthorized(f"token is not valid ({exc})") from exc
        role = _claim(claims, "role")
        if role not in ROLE_RANK:
            raise unauthorized(f"token role {role!r} is not one of {', '.join(ROLES)}")
        return Actor(user=_claim(claims, "sub"), tenant=_claim(claims, "tenant"), role=role)


def mint_token(settings: ApiSettings, *, user: str, tenant: str, role: str, ttl_seconds: int = 3600,
               now: datetime | None = None) -> str:
    """A development HS256 token signed with the configured secret."""
    if role not in ROLE_RANK:
        raise ValueError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": user, "tenant": tenant, "role": role, "aud": settings.jwt_audience,
        "iat": issued, "exp": issued + timedelta(seconds=ttl_seconds),
    }
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


bearer = HTTPBearer(
    auto_error=False, scheme_name="bearer",
    description="A JWT with claims `sub` (user), `tenant` and `role`; `brain token` mints one for development.",
)


def require_role(actor: Actor, needed: str, doing: str) -> None:
    """403 with the reason when the actor's role is below `needed`."""
    if ROLE_RANK.get(actor.role, -1) < ROLE_RANK[needed]:
        raise PermissionError(f"{doing} needs the {needed} role or higher; you are {actor.role}")
