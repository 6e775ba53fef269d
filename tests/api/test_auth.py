"""Bearer JWTs: HS256 with the configured secret, RS256 with a JWKS; every refusal a 401 with its reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import respx
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from api.app import create_app
from api.auth import mint_token
from api.settings import ApiSettings
from runtime.brain import Brain
from tests.api.conftest import BASE, SECRET, error_of, make_settings

JWKS_URL = "https://id.example.com/.well-known/jwks.json"


def _claims(**changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {"sub": "dana", "tenant": "demo", "role": "operator", "aud": "bizosaas-brain", "iss": "bizosaas-brain",
              "iat": now, "exp": now + timedelta(minutes=5)}
    return {k: v for k, v in (claims | changes).items() if v is not None}


def _hs(claims: dict[str, Any], secret: str = SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


async def _status(client: httpx.AsyncClient, token: str | None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    response = await client.get("/tasks", headers=headers)
    if response.status_code == 200:
        return 200, ""
    assert response.headers.get("www-authenticate", "").startswith("Bearer") or response.status_code != 401
    return response.status_code, error_of(response)["message"]


async def test_hs256_tokens_valid_and_every_kind_of_invalid(brain: Brain, client: httpx.AsyncClient,
                                                            api_settings: ApiSettings) -> None:
    assert await _status(client, mint_token(api_settings, user="dana", tenant="demo", role="viewer")) == (200, "")
    refused = {
        "expired": (_hs(_claims(exp=datetime.now(UTC) - timedelta(minutes=2))), "token expired"),
        "forged": (_hs(_claims(role="super_admin"), secret="an-attacker-secret-that-is-long-enough!!"),
                   "signature does not verify"),
        "wrong audience": (_hs(_claims(aud="someone-else")), "audience is wrong"),
        "wrong issuer": (_hs(_claims(iss="evil")), "issuer is wrong"),
        "bad role": (_hs(_claims(role="owner")), "role 'owner' is not one of viewer, operator, tenant_admin, super_admin"),
        "no tenant": (_hs(_claims(tenant=None)), "no 'tenant' claim"),
        "no expiry": (_hs(_claims(exp=None)), "no 'exp' claim"),
        "not a JWT": ("not-a-token", "not a valid JWT"),
        "unsigned": (jwt.encode(_claims(), None, algorithm="none"), "algorithm 'none' is not accepted"),
        "missing": (None, "missing bearer token"),
    }
    for name, (token, reason) in refused.items():
        status, message = await _status(client, token)
        assert status == 401 and reason in message, (name, status, message)
    basic = await client.get("/tasks", headers={"Authorization": "Basic ZGFuYTpzZWNyZXQ="})
    assert basic.status_code == 401 and "missing bearer token" in error_of(basic)["message"]


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


async def test_rs256_tokens_are_checked_against_the_jwks(brain: Brain) -> None:
    key, other = _rsa_key(), _rsa_key()
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key())) | {"kid": "k1", "use": "sig", "alg": "RS256"}
    app = create_app(brain, make_settings(jwt_jwks_url=JWKS_URL))

    def rs(signer: rsa.RSAPrivateKey, kid: str = "k1", **changes: Any) -> str:
        return jwt.encode(_claims(**changes), signer, algorithm="RS256", headers={"kid": kid})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        with respx.mock(assert_all_called=False) as idp:
            keys = idp.get(JWKS_URL).respond(json={"keys": [jwk]})
            assert await _status(client, rs(key, role="tenant_admin")) == (200, "")
            cases = {
                "signed by another key": (rs(other), "signature does not verify"),
                "unknown key id": (rs(key, kid="k9"), "does not publish"),
                "HS256 with the old secret": (_hs(_claims()), "not accepted"),
                "expired": (rs(key, exp=datetime.now(UTC) - timedelta(minutes=2)), "token expired"),
                "wrong audience": (rs(key, aud="other-api"), "audience is wrong"),
            }
            for name, (token, reason) in cases.items():
                status, message = await _status(client, token)
                assert status == 401 and reason in message, (name, status, message)
            assert keys.call_count >= 1

        with respx.mock(assert_all_called=False) as down:
            down.get(JWKS_URL).respond(503)
            fresh = create_app(brain, make_settings(jwt_jwks_url=JWKS_URL))
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fresh), base_url=BASE) as second:
                status, message = await _status(second, rs(key))
            assert status == 503 and "keys cannot be fetched" in message
