"""Validation of mutation inputs, failing with Saleor's error fields and codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox.saleor import richtext
from sandbox.saleor.catalog import TYPE_OF, Catalog, from_global_id
from sandbox.saleor.context import MutationErrors, fail, payload

_SLUG = re.compile(r"^[-\w]+$")
_KG_PER = {"g": 0.001, "kg": 1.0, "lb": 0.45359237, "oz": 0.028349523125, "tonne": 1000.0}


def attempt(legacy: str, key: str, action: Callable[[], Any]) -> dict[str, Any]:
    """Run a mutation's work; validation failures become its `errors` list, as in Saleor."""
    try:
        result = action()
    except MutationErrors as exc:
        return payload(legacy, exc.errors, **{key: None})
    return payload(legacy, **{key: result})


def resolve_id(catalog: Catalog, table: str, value: Any, field: str) -> str:
    """The pk behind a global ID of this table's type, or Saleor's GRAPHQL_ERROR / NOT_FOUND."""
    expected = TYPE_OF[table]
    parsed = from_global_id(str(value)) if value else None
    if parsed is None or parsed[0] != expected:
        raise fail(field, "GRAPHQL_ERROR", f"Invalid ID: {value}. Expected: {expected}.")
    if parsed[1] not in catalog.table(table):
        raise fail(field, "NOT_FOUND", f"Couldn't resolve id: {value}.")
    return parsed[1]


def resolve_ids(catalog: Catalog, table: str, values: list[Any] | None, field: str) -> list[str]:
    found: list[str] = []
    for value in values or []:
        pk = resolve_id(catalog, table, value, field)
        if pk not in found:
            found.append(pk)
    return found


def check_slug(catalog: Catalog, table: str, slug: Any, own_pk: str | None, label: str) -> str:
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise fail("slug", "INVALID", "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.")
    other = catalog.by_slug(table, slug)
    if other is not None and other != own_pk:
        raise fail("slug", "UNIQUE", f"{label} with this Slug already exists.")
    return slug


def required_name(data: dict[str, Any]) -> str:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "REQUIRED", "This field is required.")
    return name


def description(data: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return richtext.parse_input(data.get("description"))
    except ValueError as exc:
        raise fail("description", "INVALID", "Description must be EditorJS JSON.") from exc


def seo_changes(data: dict[str, Any]) -> dict[str, Any]:
    seo = data.get("seo") or {}
    changes = {}
    if "title" in seo:
        changes["seo_title"] = seo["title"]
    if "description" in seo:
        changes["seo_description"] = seo["description"]
    return changes


def amount(value: Any, field: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise fail(field, "INVALID", f"{value!r} is not a number.") from exc
    if number < 0:
        raise fail(field, "INVALID", "Value cannot be lower than 0.")
    return number


def weight_kg(value: Any) -> float | None:
    """A WeightScalar input ({"unit": "kg", "value": 1.2} or a number in kg) in kilograms."""
    if value is None:
        return None
    if isinstance(value, dict):
        unit = str(value.get("unit", "kg")).lower()
        if unit not in _KG_PER:
            raise fail("weight", "INVALID", f"Unsupported weight unit: {unit}")
        return (amount(value.get("value"), "weight") or 0.0) * _KG_PER[unit]
    return amount(value, "weight")


def _values(kind: str, item: dict[str, Any]) -> list[str]:
    if item.get("values") is not None:
        return [str(v) for v in item["values"]]
    for key in ("dropdown", "swatch"):
        if item.get(key) and item[key].get("value") is not None:
            return [str(item[key]["value"])]
    if item.get("multiselect") is not None:
        return [str(v.get("value")) for v in item["multiselect"] if v.get("value") is not None]
    for key in ("plainText", "numeric", "richText", "date", "dateTime"):
        if item.get(key) is not None:
            return [str(item[key])]
    if item.get("boolean") is not None:
        return ["true" if item["boolean"] else "false"]
    raise fail("attributes", "REQUIRED", f"Attribute value of {kind} type is required.")


def attribute_values(catalog: Catalog, allowed: list[str], items: list[dict[str, Any]] | None) -> dict[str, list[str]]:
    """{attribute pk: [values]} from AttributeValueInput items, limited to `allowed` attributes."""
    result: dict[str, list[str]] = {}
    for item in items or []:
        pk = resolve_id(catalog, "attributes", item.get("id"), "attributes")
        if pk not in allowed:
            name = catalog.table("attributes")[pk]["name"]
            raise fail("attributes", "INVALID", f"Attribute {name} is not assigned to this product type.")
        result[pk] = _values(catalog.table("attributes")[pk]["input_type"], item)
    return result
