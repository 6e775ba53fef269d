"""Per-request context: the caller's identity, the catalog, and Saleor-shaped errors."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from sandbox.saleor import tokens
from sandbox.saleor.catalog import Catalog

PERMISSION_MESSAGE = "To access this path, you need one of the following permissions: {}"


@dataclass(frozen=True)
class SandboxSettings:
    """Who may log in, and how long tokens live."""

    staff_email: str = "staff@example.com"
    staff_password: str = field(default="sandbox", repr=False)
    app_token: str | None = field(default="sandbox-app-token", repr=False)
    access_ttl: float = 300.0
    refresh_ttl: float = 30 * 24 * 3600.0


@dataclass
class RequestContext:
    """What resolvers see as `info.context`."""

    catalog: Catalog
    settings: SandboxSettings
    viewer: str | None = None  # "app" or the staff email; None when anonymous
    auth_error: tokens.TokenError | None = None

    @classmethod
    def from_header(cls, catalog: Catalog, settings: SandboxSettings, authorization: str | None) -> RequestContext:
        ctx = cls(catalog=catalog, settings=settings)
        if not authorization:
            return ctx
        scheme, _, credential = authorization.strip().partition(" ")
        if scheme.lower() not in ("bearer", "jwt") or not credential:
            ctx.auth_error = tokens.TokenError("InvalidTokenError", "Invalid Authorization header")
            return ctx
        credential = credential.strip()
        if settings.app_token and hmac.compare_digest(credential.encode(), settings.app_token.encode()):
            ctx.viewer = "app"
            return ctx
        try:
            claims = tokens.verify(catalog.secret, credential, kind=tokens.ACCESS)
        except tokens.TokenError as exc:
            ctx.auth_error = exc
        else:
            ctx.viewer = str(claims.get("email"))
        return ctx


Info = GraphQLResolveInfo[RequestContext]


def context_of(info: Info) -> RequestContext:
    ctx = info.context
    assert isinstance(ctx, RequestContext)
    return ctx


def require_staff(info: Info, permission: str = "MANAGE_PRODUCTS") -> RequestContext:
    """The context, or a GraphQL error like Saleor's when the caller is not a staff user or app."""
    ctx = context_of(info)
    if ctx.auth_error is not None:
        raise GraphQLError(ctx.auth_error.message, extensions={"exception": {"code": ctx.auth_error.code}})
    if ctx.viewer is None:
        raise GraphQLError(PERMISSION_MESSAGE.format(permission), extensions={"exception": {"code": "PermissionDenied"}})
    return ctx


def field_error(field_name: str | None, code: str, message: str) -> dict[str, Any]:
    return {"field": field_name, "code": code, "message": message}


class MutationErrors(Exception):
    """Validation failed: the mutation returns these in its `errors` list and writes nothing."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(e["message"]) for e in errors))
        self.errors = errors


def fail(field_name: str | None, code: str, message: str) -> MutationErrors:
    return MutationErrors([field_error(field_name, code, message)])


def payload(legacy: str, errors: list[dict[str, Any]] | None = None, **objects: Any) -> dict[str, Any]:
    """A mutation payload: its objects, `errors`, and the deprecated `<legacy>` copy of them."""
    found = errors or []
    return {**objects, "errors": found, legacy: found}
