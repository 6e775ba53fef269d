"""Turn a tool's `attributes` dict ({"Material": "Cotton"}) into Saleor's AttributeValueInput list."""

from __future__ import annotations

from typing import Any

from adapters.errors import InvalidRequest
from adapters.saleor.convert import slugify, text_to_editorjs
from adapters.saleor.failures import SYSTEM


def product_attribute_defs(product_type: dict[str, Any]) -> list[dict[str, Any]]:
    return list(product_type.get("productAttributes") or [])


def variant_attribute_defs(product_type: dict[str, Any]) -> list[dict[str, Any]]:
    return [a["attribute"] for a in product_type.get("assignedVariantAttributes") or []]


def _find(defs: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    for attr in defs:
        if key in (attr.get("id"), attr.get("slug"), slugify(key)) or key.casefold() == str(
            attr.get("name", "")
        ).casefold():
            return attr
    return None


def _value_input(attr: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = attr.get("inputType") or "DROPDOWN"
    if kind == "DROPDOWN":
        return {"dropdown": {"value": str(value)}}
    if kind == "SWATCH":
        return {"swatch": {"value": str(value)}}
    if kind == "MULTISELECT":
        items = value if isinstance(value, list | tuple) else [value]
        return {"multiselect": [{"value": str(item)} for item in items]}
    if kind == "NUMERIC":
        return {"numeric": str(value)}
    if kind == "PLAIN_TEXT":
        return {"plainText": str(value)}
    if kind == "RICH_TEXT":
        return {"richText": text_to_editorjs(str(value))}
    if kind == "BOOLEAN":
        return {"boolean": bool(value)}
    if kind == "DATE":
        return {"date": str(value)}
    if kind == "DATE_TIME":
        return {"dateTime": str(value)}
    raise InvalidRequest(
        SYSTEM, f"attribute {attr.get('name')!r} is of type {kind}, which this tool cannot set", field="attributes"
    )


def attribute_inputs(
    defs: list[dict[str, Any]], values: dict[str, Any] | None, *, type_name: str
) -> list[dict[str, Any]]:
    """AttributeValueInput dicts for `values`, keyed by attribute name, slug or ID."""
    inputs: list[dict[str, Any]] = []
    for key, value in (values or {}).items():
        attr = _find(defs, key)
        if attr is None:
            known = ", ".join(str(a.get("name")) for a in defs) or "none"
            raise InvalidRequest(
                SYSTEM,
                f"product type {type_name!r} has no attribute {key!r} here (known: {known})",
                field="attributes",
            )
        inputs.append({"id": attr["id"], **_value_input(attr, value)})
    return inputs
