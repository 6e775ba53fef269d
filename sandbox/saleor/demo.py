"""The demo store: a small eco homeware shop on one USD channel."""

from __future__ import annotations

from typing import Any


def demo_seed() -> dict[str, Any]:
    """Seed data for `SaleorStore.seed` (a fresh dict on every call)."""
    return {
        "channels": [{"slug": "default-channel", "name": "Default Channel", "currency": "USD"}],
        "warehouses": ["Pune"],
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
                "price": 18.5,
                "cost_price": 6.0,
                "category": "Eco Kitchen",
                "collections": ["Summer"],
                "description": "Reusable bamboo fork, knife, spoon and chopsticks in a cotton pouch.",
            },
            {
                "name": "Organic Cotton Tee",
                "sku": "TEE-ORG-M",
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
                "price": 12.0,
                "cost_price": 3.5,
                "category": "Kitchen",
                "collections": [],
                "description": None,
            },
            {
                "name": "Yoga Mat",
                "sku": "YOGA-MAT",
                "price": 38.0,
                "cost_price": 15.0,
                "category": "Default",
                "collections": ["Spring"],
                "description": "Natural rubber mat with a cork top.",
            },
            {
                "name": "Speckled Mug",
                "sku": "MUG-SPECK",
                "price": 14.0,
                "cost_price": 5.0,
                "product_type": "Mug",
                "category": "Kitchen",
                "collections": [],
                "description": "A speckled stoneware mug, 350 ml.",
                "published": False,
            },
        ],
    }
