"""Turn Saleor's error answers (HTTP status, GraphQL `errors`, mutation `errors`) into typed errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.errors import (
    AdapterError,
    AuthError,
    Conflict,
    InvalidRequest,
    NotFound,
)
from adapters.saleor.convert import camel_to_snake

SYSTEM = "saleor"

_AUTH_CODES = {
    "permissiondenied",
    "expiredsignatureerror",
    "invalidtokenerror",
    "decodeerror",
    "invalidsignatureerror",
    "invalid_token",
    "unauthenticated",
    "forbidden",
    "jwt_signature_expired",
    "jwt_invalid_token",
    "jwt_decode_error",
    "jwt_missing_token",
    "invalid_credentials",
}
_AUTH_WORDS = (
    "permission",
    "signature has expired",
    "not authenticated",
    "authentication",
    "invalid token",
    "token is invalid",
    "expired token",
)
_NOT_FOUND_WORDS = ("couldn't resolve", "could not resolve", "does not exist", "not found")
_CONFLICT_CODES = {"UNIQUE", "ALREADY_EXISTS", "DUPLICATED_INPUT_ITEM"}
# Saleor's input names that differ from the tool's argument names beyond camelCase.
_FIELD_NAMES = {
    "channelId": "channel",
    "collectionId": "collection",
    "productType": "product_type",
    # orders, drafts, refunds
    "orderLineId": "lines",
    "variantId": "lines",
    "stocks": "warehouse",
    "grantRefundForShipping": "include_shipping",
    "user": "customer",
    "userEmail": "customer",
    "shipping": "shipping_method",
    "customerNote": "note",
    # vouchers and promotions
    "code": "code",
    "addCodes": "code",
    "discountValueType": "discount_type",
    "rewardValueType": "discount_type",
    "discountValue": "value",
    "rewardValue": "value",
    "minAmountSpent": "min_spend",
    "minSpent": "min_spend",
    "applyOncePerCustomer": "once_per_customer",
    "startDate": "starts_at",
    "endDate": "ends_at",
    "cataloguePredicate": "products",
}


def tool_field(field: str | None) -> str | None:
    if not field:
        return None
    return _FIELD_NAMES.get(field) or camel_to_snake(field)


def error_code(error: Mapping[str, Any]) -> str | None:
    """The code of a top-level GraphQL error: Saleor puts it in extensions.exception.code."""
    extensions = error.get("extensions") or {}
    exception = extensions.get("exception") or {}
    code = exception.get("code") if isinstance(exception, Mapping) else None
    code = code or extensions.get("code")
    return str(code) if code else None


def is_auth_error(error: Mapping[str, Any]) -> bool:
    code = (error_code(error) or "").lower()
    if code in _AUTH_CODES:
        return True
    message = str(error.get("message") or "").lower()
    return any(word in message for word in _AUTH_WORDS)


def graphql_error(errors: Sequence[Mapping[str, Any]], *, redact: bool = False) -> AdapterError:
    """The typed error for a response's top-level `errors` (the first one decides the type).

    With `redact` (credential calls) only codes are reported, since a server message about a
    variable can quote its value.
    """
    first = errors[0] if errors else {}
    code = error_code(first)
    message = str(first.get("message") or "GraphQL error")
    path = first.get("path") or []
    where = f" at {'.'.join(str(p) for p in path)}" if path else ""
    if redact:
        message = f"request rejected ({code or 'no code'})"
    text = f"{message}{where}"
    if len(errors) > 1:
        text += f" (and {len(errors) - 1} more errors)"
    if is_auth_error(first):
        return AuthError(SYSTEM, f"{text}; check the Saleor token or the staff permissions")
    lowered = message.lower()
    if any(word in lowered for word in _NOT_FOUND_WORDS):
        return NotFound(SYSTEM, text)
    return InvalidRequest(SYSTEM, text)


def mutation_error(operation: str, errors: Sequence[Mapping[str, Any]]) -> AdapterError:
    """The typed error for a mutation payload's own `errors` list, naming the field."""
    first = errors[0]
    code = str(first.get("code") or "INVALID")
    field = tool_field(first.get("field"))
    message = str(first.get("message") or code)
    text = f"{operation} failed: {message} ({code})"
    if len(errors) > 1:
        others = ", ".join(f"{e.get('field')}: {e.get('code')}" for e in errors[1:])
        text += f"; also {others}"
    if code == "NOT_FOUND":
        return NotFound(SYSTEM, text, field=field)
    if code in _CONFLICT_CODES:
        return Conflict(SYSTEM, text, field=field)
    if code.startswith("JWT_") or code in {"INVALID_CREDENTIALS", "INACTIVE", "OUT_OF_SCOPE_PERMISSION"}:
        return AuthError(SYSTEM, text, field=field)
    return InvalidRequest(SYSTEM, text, field=field)
