"""Conversions between Saleor's GraphQL shapes and the plain dicts the tools return."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import unicodedata
from typing import Any

_GLOBAL_ID = re.compile(r"^([A-Za-z]+):([\w-]+)$")
_TAG = re.compile(r"<[^>]+>")
_KG_PER_UNIT = {"G": 0.001, "KG": 1.0, "LB": 0.45359237, "OZ": 0.028349523125, "TONNE": 1000.0}


def slugify(value: str) -> str:
    """Slug the way Saleor derives one from a name (Django's slugify, unicode allowed)."""
    text = unicodedata.normalize("NFKC", value)
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")


def parse_global_id(value: str) -> tuple[str, str] | None:
    """Return (type, pk) when `value` is a Saleor global ID such as 'UHJvZHVjdDox'."""
    try:
        padded = value + "=" * (-len(value) % 4)
        decoded = base64.b64decode(padded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    match = _GLOBAL_ID.match(decoded)
    return (match.group(1), match.group(2)) if match else None


def is_global_id(value: str, type_name: str) -> bool:
    parsed = parse_global_id(value)
    return parsed is not None and parsed[0] == type_name


def text_to_editorjs(text: str) -> str:
    """Plain text to the EditorJS JSON string Saleor stores (one paragraph per blank-line block)."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()] or [""]
    blocks = [{"type": "paragraph", "data": {"text": html.escape(p, quote=False)}} for p in paragraphs]
    return json.dumps({"blocks": blocks})


def editorjs_to_text(value: Any) -> str | None:
    """EditorJS JSON (string or parsed) back to plain text; None when there is no description."""
    if value in (None, ""):
        return None
    data = value
    if isinstance(value, str):
        try:
            data = json.loads(value)
        except ValueError:
            return value
    if not isinstance(data, dict):
        return None
    parts: list[str] = []
    for block in data.get("blocks") or []:
        block_data = block.get("data") or {}
        if isinstance(block_data.get("items"), list):
            parts.extend(_strip_html(str(item)) for item in block_data["items"])
        elif block_data.get("text") is not None:
            parts.append(_strip_html(str(block_data["text"])))
    text = "\n\n".join(p for p in parts if p)
    return text or None


def _strip_html(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment.replace("<br>", "\n"))).strip()


def amount(money: dict[str, Any] | None) -> float | None:
    if not money or money.get("amount") is None:
        return None
    return float(money["amount"])


def weight_kg(weight: dict[str, Any] | None) -> float | None:
    if not weight or weight.get("value") is None:
        return None
    factor = _KG_PER_UNIT.get(str(weight.get("unit", "KG")).upper(), 1.0)
    return round(float(weight["value"]) * factor, 6)


def _channel_listing(listings: list[dict[str, Any]] | None, channel: str) -> dict[str, Any] | None:
    for listing in listings or []:
        if (listing.get("channel") or {}).get("slug") == channel:
            return listing
    return None


def variant_to_dict(node: dict[str, Any], channel: str) -> dict[str, Any]:
    listing = _channel_listing(node.get("channelListings"), channel) or {}
    return {
        "id": node["id"],
        "sku": node.get("sku"),
        "name": node.get("name"),
        "price": amount(listing.get("price")),
        "cost_price": amount(listing.get("costPrice")),
        "weight_kg": weight_kg(node.get("weight")),
    }


def variant_currency(node: dict[str, Any], channel: str) -> str | None:
    listing = _channel_listing(node.get("channelListings"), channel) or {}
    price = listing.get("price") or {}
    currency = price.get("currency") or (listing.get("channel") or {}).get("currencyCode")
    return str(currency) if currency else None


def variant_nodes(product: dict[str, Any]) -> list[dict[str, Any]]:
    connection = product.get("productVariants") or {}
    return [edge["node"] for edge in connection.get("edges") or []]


def product_to_dict(node: dict[str, Any], channel: str) -> dict[str, Any]:
    """Saleor Product (ProductFields) to the tool's product dict, priced in `channel`."""
    listing = _channel_listing(node.get("channelListings"), channel)
    raw_variants = variant_nodes(node)
    variants = [variant_to_dict(v, channel) for v in raw_variants]
    default_id = (node.get("defaultVariant") or {}).get("id")
    ordered = sorted(variants, key=lambda v: v["id"] != default_id)
    price = next((v["price"] for v in ordered if v["price"] is not None), None)
    currency = next((c for c in (variant_currency(v, channel) for v in raw_variants) if c), None)
    if currency is None and listing:
        currency = (listing.get("channel") or {}).get("currencyCode")
    return {
        "id": node["id"],
        "name": node["name"],
        "slug": node["slug"],
        "description": editorjs_to_text(node.get("description")),
        "product_type": (node.get("productType") or {}).get("name"),
        "category": (node.get("category") or {}).get("name"),
        "collections": [c["name"] for c in node.get("collections") or []],
        "seo_title": node.get("seoTitle"),
        "seo_description": node.get("seoDescription"),
        "published": bool(listing and listing.get("isPublished")),
        "price": price,
        "currency": currency,
        "variants": variants,
    }


def collection_to_dict(node: dict[str, Any], channel: str) -> dict[str, Any]:
    listing = _channel_listing(node.get("channelListings"), channel)
    products = node.get("products") or {}
    return {
        "id": node["id"],
        "name": node["name"],
        "slug": node["slug"],
        "description": editorjs_to_text(node.get("description")),
        "seo_title": node.get("seoTitle"),
        "seo_description": node.get("seoDescription"),
        "published": bool(listing and listing.get("isPublished")),
        "products": [edge["node"]["name"] for edge in products.get("edges") or []],
        "product_count": products.get("totalCount"),
    }


def camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
