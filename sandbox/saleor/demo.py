"""The demo store: a small eco homeware shop on one USD channel, with customers, orders in every
state (dated relative to today, one of them late to ship), draft orders, vouchers and a sale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.saleor.demo_orders import demo_customers, demo_discounts, demo_orders, demo_vouchers


def demo_seed(now: datetime | None = None) -> dict[str, Any]:
    """Seed data for `SaleorStore.seed` (a fresh dict on every call; dates count back from `now`)."""
    today = now or datetime.now(UTC)

    def ago(days: float) -> str:
        return (today - timedelta(days=days)).replace(microsecond=0).isoformat()

    return {
        "channels": [{"slug": "default-channel", "name": "Default Channel", "currency": "USD"}],
        "warehouses": ["Pune", "Mumbai", "Delhi", "Austin"],
        "shipping_methods": [{"name": "Standard", "price": 5.0}, {"name": "Express", "price": 15.0}],
        "product_types": [
            {"name": "Default"},
            {"name": "Mug", "product_attributes": [{"name": "Color", "input_type": "DROPDOWN"}]},
            {
                "name": "Apparel",
                "product_attributes": [{"name": "Material", "input_type": "PLAIN_TEXT"}],
                "variant_attributes": [{"name": "Size", "input_type": "DROPDOWN"}],
            },
        ],
        "categories": ["Default", "Kitchen", "Eco Kitchen", "Apparel", "Gifts"],
        "collections": [
            {"name": "Spring", "published": True},
            {"name": "Summer", "published": True},
            {"name": "Gifts", "published": False},
        ],
        "products": [
            {
                "name": "Blue Vase",
                "sku": "VASE-BLUE",
                "stock": 40,
                "price": 34.0,
                "cost_price": 14.0,
                "category": "Gifts",
                "collections": ["Spring", "Gifts"],
                "description": "Hand-thrown stoneware vase in a deep blue glaze.",
                "seo_title": "Blue Stoneware Vase",
                "seo_description": "A hand-thrown blue vase for spring flowers.",
            },
            {
                "name": "Bamboo Cutlery Set",
                "sku": "CUT-BAMBOO",
                "stock": 60,
                "price": 18.5,
                "cost_price": 6.0,
                "category": "Eco Kitchen",
                "collections": ["Summer"],
                "description": "Reusable bamboo fork, knife, spoon and chopsticks in a cotton pouch.",
            },
            {
                "name": "Organic Cotton Tee",
                "sku": "TEE-ORG-M",
                "stock": 80,
                "price": 25.0,
                "cost_price": 9.0,
                "product_type": "Apparel",
                "category": "Apparel",
                "collections": ["Summer"],
                "description": "A soft tee made from GOTS-certified organic cotton.",
            },
            {
                "name": "Ceramic Pour-Over Set",
                "sku": "POUR-CER",
                "stock": 25,
                "price": 42.0,
                "cost_price": 17.5,
                "category": "Kitchen",
                "collections": ["Gifts"],
                "description": "Ceramic dripper with a matching carafe for two cups.",
            },
            {
                "name": "Steel Water Bottle",
                "sku": "BOTTLE-STEEL",
                "price": 22.0,
                "cost_price": 8.0,
                "category": "Eco Kitchen",
                "collections": ["Summer"],
                "description": "Insulated 750 ml stainless steel bottle.",
                "stock": 0,
            },
            {
                "name": "Coasters (set of 4)",
                "sku": "COAST-4",
                "stock": 100,
                "price": 12.0,
                "cost_price": 3.5,
                "category": "Kitchen",
                "collections": [],
                "description": None,
            },
            {
                "name": "Yoga Mat",
                "sku": "YOGA-MAT",
                "stock": 30,
                "price": 38.0,
                "cost_price": 15.0,
                "category": "Default",
                "collections": ["Spring"],
                "description": "Natural rubber mat with a cork top.",
            },
            {
                "name": "Speckled Mug",
                "sku": "MUG-SPECK",
                "stock": 60,
                "price": 14.0,
                "cost_price": 5.0,
                "product_type": "Mug",
                "category": "Kitchen",
                "collections": [],
                "description": "A speckled stoneware mug, 350 ml.",
                "published": False,
            },
        ],
        "customers": demo_customers(ago),
        "orders": demo_orders(ago),
        "vouchers": demo_vouchers(ago),
        "discounts": demo_discounts(ago),
    }
