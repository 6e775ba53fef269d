"""The demo store's customers, orders, draft orders, vouchers and sale (see `demo.demo_seed`).

The order numbers are the ones the order agents' example requests name ("Where is order 1042?",
"Cancel order 1051", "Confirm draft order D-88"), so each example does something real.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Ago = Callable[[float], str]


def demo_customers(ago: Ago) -> list[dict[str, Any]]:
    return [
        {"email": "jon@example.com", "first_name": "Jon", "last_name": "Miles", "tags": ["VIP"], "city": "Austin",
         "postal_code": "78701", "country": "US", "note": "Prefers delivery after 6pm", "joined": ago(400)},
        {"email": "maria@casaverde.mx", "first_name": "Maria", "last_name": "Lopez", "tags": ["wholesale"],
         "city": "Mexico City", "postal_code": "06700", "country": "MX", "joined": ago(300)},
        {"email": "priya@example.com", "first_name": "Priya", "last_name": "Sharma", "city": "Mumbai",
         "postal_code": "400001", "joined": ago(250)},
        {"email": "cafe@beanbar.com", "first_name": "Beanbar", "last_name": "Cafe", "tags": ["wholesale", "B2B"],
         "city": "Pune", "joined": ago(200)},
        {"email": "tom@casaverde.mx", "first_name": "Tom", "last_name": "Reed", "city": "Mexico City",
         "postal_code": "06700", "country": "MX", "joined": ago(150)},
        {"email": "anita.rao@example.com", "first_name": "Anita", "last_name": "Rao", "city": "Bengaluru",
         "postal_code": "560001", "joined": ago(120)},
        {"email": "jake@sunrisebakery.com", "first_name": "Jake", "last_name": "Turner", "tags": ["wholesale"],
         "city": "Delhi", "postal_code": "110001", "joined": ago(90)},
        {"email": "hello@glowsalon.com", "first_name": "Sunita", "last_name": "Menon", "city": "Pune",
         "joined": ago(60)},
    ]


def demo_orders(ago: Ago) -> list[dict[str, Any]]:
    """Orders in every state: shipped, waiting to ship (one late), part-shipped, refunded,
    cancelled, unpaid, unconfirmed, and two drafts."""
    return [
        {"number": "1038", "status": "fulfilled", "customer": "priya@example.com", "created": ago(21), "shipping": 5.0,
         "lines": [{"sku": "MUG-SPECK", "quantity": 2}], "tracking_number": "DL55501IN", "warehouse": "Pune"},
        {"number": "1042", "status": "fulfilled", "customer": "jon@example.com", "created": ago(14), "shipping": 5.0,
         "lines": [{"sku": "VASE-BLUE", "quantity": 1}, {"sku": "COAST-4", "quantity": 1}],
         "tracking_number": "1234567890", "warehouse": "Mumbai"},
        {"number": "1045", "status": "fulfilled", "payment_status": "partially_refunded", "refunded": 8.5,
         "refund_reason": "late delivery", "customer": "tom@casaverde.mx", "created": ago(12), "shipping": 5.0,
         "lines": [{"sku": "TEE-ORG-M", "quantity": 2}], "tracking_number": "FX778944120034", "warehouse": "Pune"},
        {"number": "1051", "status": "unfulfilled", "customer": "anita.rao@example.com", "created": ago(1),
         "shipping": 5.0, "lines": [{"sku": "YOGA-MAT", "quantity": 1}]},
        {"number": "1060", "status": "fulfilled", "customer": "maria@casaverde.mx", "created": ago(10), "shipping": 5.0,
         "lines": [{"sku": "POUR-CER", "quantity": 1}], "tracking_number": "BD987654321IN", "warehouse": "Delhi"},
        {"number": "1071", "status": "unfulfilled", "customer": "jon@example.com", "created": ago(2), "shipping": 5.0,
         "lines": [{"sku": "MUG-SPECK", "quantity": 4}]},
        {"number": "1077", "status": "partially_fulfilled", "customer": "tom@casaverde.mx", "created": ago(4),
         "shipping": 5.0, "lines": [{"sku": "YOGA-MAT", "quantity": 1}, {"sku": "TEE-ORG-M", "quantity": 2}],
         "tracking_number": "1Z999AA10123456784", "warehouse": "Pune"},
        {"number": "1088", "status": "unfulfilled", "customer": "cafe@beanbar.com", "created": ago(1), "shipping": 15.0,
         "shipping_method": "Express", "lines": [{"sku": "MUG-SPECK", "quantity": 2}, {"sku": "VASE-BLUE", "quantity": 1}]},
        {"number": "1099", "status": "unfulfilled", "customer": "maria@casaverde.mx", "created": ago(6), "shipping": 5.0,
         "lines": [{"sku": "VASE-BLUE", "quantity": 1}, {"sku": "CUT-BAMBOO", "quantity": 2}],
         "note": "Gift wrap please"},
        {"number": "1103", "status": "fulfilled", "customer": "anita.rao@example.com", "created": ago(9),
         "shipping": 5.0, "lines": [{"sku": "CUT-BAMBOO", "quantity": 1}], "tracking_number": "DL55502IN",
         "warehouse": "Mumbai"},
        {"number": "1110", "status": "canceled", "customer": "priya@example.com", "created": ago(8), "shipping": 5.0,
         "lines": [{"sku": "COAST-4", "quantity": 2}], "notes": ["Cancelled: customer changed their mind"]},
        {"number": "1115", "status": "unconfirmed", "payment_status": "pending", "customer": "hello@glowsalon.com",
         "created": ago(0.5), "shipping": 5.0, "lines": [{"sku": "POUR-CER", "quantity": 3}]},
        {"number": "1120", "status": "unfulfilled", "payment_status": "not_charged", "customer": "jake@sunrisebakery.com",
         "created": ago(0.2), "shipping": 5.0, "lines": [{"sku": "CUT-BAMBOO", "quantity": 6}]},
        {"number": "D-88", "status": "draft", "customer": "cafe@beanbar.com", "created": ago(3), "shipping": 15.0,
         "shipping_method": "Express", "lines": [{"sku": "MUG-SPECK", "quantity": 24}],
         "note": "Wholesale order by phone"},
        {"number": "D-89", "status": "draft", "customer": "jake@sunrisebakery.com", "created": ago(2), "shipping": 5.0,
         "lines": [{"sku": "CUT-BAMBOO", "quantity": 12}]},
    ]


def demo_vouchers(ago: Ago) -> list[dict[str, Any]]:
    return [
        {"code": "SUMMER20", "discount_type": "percentage", "value": 20.0, "starts_at": ago(30), "ends_at": ago(-45),
         "usage_limit": 500, "used": 41},
        {"code": "WELCOME50", "discount_type": "fixed", "value": 5.0, "min_spend": 30.0, "once_per_customer": True,
         "starts_at": ago(200), "used": 133},
        {"code": "FALL25", "discount_type": "percentage", "value": 25.0, "starts_at": ago(10), "ends_at": ago(-20),
         "collections": ["Gifts"]},
        {"code": "BFCM30", "discount_type": "percentage", "value": 30.0, "starts_at": ago(5), "ends_at": ago(-2)},
        {"code": "WHOLESALE10", "discount_type": "percentage", "value": 10.0, "min_spend": 100.0, "starts_at": ago(365)},
        {"code": "FREESHIP40", "discount_type": "free_shipping", "min_spend": 40.0, "starts_at": ago(60)},
    ]


def demo_discounts(ago: Ago) -> list[dict[str, Any]]:
    return [
        {"name": "Summer Sale", "discount_type": "percentage", "value": 10.0, "collections": ["Summer"],
         "starts_at": ago(7), "ends_at": ago(-14)},
    ]
