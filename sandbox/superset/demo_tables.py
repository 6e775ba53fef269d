"""The demo warehouse's rows: two stores (CoreLDove, Beanbar), an agency (Bizoholic) with its client
Casa Verde, their campaigns, site sessions, A/B tests and the Brain's own usage, over 2025 and 2026.

Generated from a fixed seed, so every process (and every test) sees the same rows.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

START = date(2025, 1, 1)
END = date(2026, 12, 31)
SEED = 20250101


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, SQL type)
    rows: tuple[tuple[Any, ...], ...]
    description: str

    def dicts(self) -> list[dict[str, Any]]:
        names = [c for c, _ in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


PRODUCTS = (
    (1, "VASE-BLUE", "Blue Vase", "Gifts", 34.0, 14.0, "CoreLDove"),
    (2, "CUT-BAMBOO", "Bamboo Cutlery Set", "Eco Kitchen", 18.5, 6.0, "CoreLDove"),
    (3, "TEE-ORG-M", "Organic Cotton Tee", "Apparel", 25.0, 9.0, "CoreLDove"),
    (4, "POUR-CER", "Ceramic Pour-Over Set", "Kitchen", 42.0, 17.5, "CoreLDove"),
    (5, "BOTTLE-STEEL", "Steel Water Bottle", "Eco Kitchen", 22.0, 8.0, "CoreLDove"),
    (6, "COAST-4", "Coasters (set of 4)", "Kitchen", 12.0, 3.5, "CoreLDove"),
    (7, "YOGA-MAT", "Yoga Mat", "Fitness", 38.0, 15.0, "CoreLDove"),
    (8, "MUG-RED", "Red Mug", "Kitchen", 12.0, 4.5, "CoreLDove"),
    (9, "BEAN-HOUSE", "House Blend 250g", "Coffee", 11.0, 4.0, "Beanbar"),
    (10, "BEAN-ETH", "Ethiopia Yirgacheffe 250g", "Coffee", 15.0, 6.0, "Beanbar"),
    (11, "BEAN-DECAF", "Swiss Water Decaf 250g", "Coffee", 13.0, 5.0, "Beanbar"),
    (12, "CUP-KEEP", "KeepCup 340ml", "Accessories", 24.0, 10.0, "Beanbar"),
    (13, "FILTER-100", "Paper Filters (100)", "Accessories", 5.0, 1.5, "Beanbar"),
    (14, "SUB-MONTH", "Monthly Coffee Subscription", "Subscriptions", 29.0, 12.0, "Beanbar"),
)
FIRST = ("Ana", "Ravi", "Maria", "Tom", "Priya", "Lucas", "Sofia", "Omar", "Mei", "Jonas", "Elena", "Kofi", "Sara",
         "Diego", "Aisha", "Ben", "Lena", "Yusuf", "Nina", "Arjun")
LAST = ("Silva", "Kumar", "Garcia", "Miller", "Shah", "Rossi", "Novak", "Haddad", "Chen", "Berg", "Ivanova", "Mensah",
        "Cohen", "Lopez", "Khan", "Wright", "Fischer", "Demir", "Patel", "Moreau")
CITIES = ("Pune", "Mumbai", "Bengaluru", "Lisbon", "Madrid", "Berlin", "Austin", "Toronto", "Mexico City", "London")
DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "example.org")
SOURCES = ("organic", "paid_search", "social", "referral", "email")
STORE_CHANNELS = {
    "CoreLDove": (("web", 55), ("marketplace", 20), ("instagram", 15), ("email", 10)),
    "Beanbar": (("web", 40), ("pos", 45), ("subscription", 15)),
}
LEAD_SOURCES = ("website_form", "google_ads", "meta_ads", "referral", "linkedin", "event")
INDUSTRIES = ("retail", "hospitality", "real_estate", "healthcare", "education", "software")
CAMPAIGNS = (  # name, client, first Monday, weeks, ((channel, target ROAS), ...)
    ("Spring Sale 2025", "CoreLDove", date(2025, 3, 3), 8, (("google_ads", 4.0), ("meta_ads", 3.0), ("email", 8.0))),
    ("Summer Launch 2025", "CoreLDove", date(2025, 6, 2), 6, (("google_ads", 3.5), ("meta_ads", 3.0))),
    ("Black Friday 2025", "CoreLDove", date(2025, 11, 17), 3, (("google_ads", 4.0), ("meta_ads", 3.5), ("email", 10.0))),
    ("Spring Sale 2026", "CoreLDove", date(2026, 3, 2), 8, (("google_ads", 4.0), ("meta_ads", 3.0), ("email", 8.0))),
    ("Casa Verde Leads 2026", "Casa Verde", date(2026, 1, 5), 12, (("google_ads", 2.0), ("meta_ads", 2.0))),
)
AB_TESTS = (
    ("Checkout button colour", date(2025, 4, 1), date(2025, 4, 28)),
    ("Free shipping banner", date(2025, 9, 1), date(2025, 9, 29)),
    ("Product page video", date(2026, 2, 2), date(2026, 3, 2)),
    ("One-page checkout", date(2026, 6, 1), date(2026, 6, 29)),
)
TENANTS = ("demo", "casa-verde", "beanbar")


def _months() -> list[date]:
    months, day = [], START
    while day <= END:
        months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def _day_in(rng: random.Random, month: date) -> date:
    following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return month + timedelta(days=rng.randrange((following - month).days))


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _customers(rng: random.Random) -> list[list[Any]]:
    rows = []
    for i in range(1, 91):
        first, last = FIRST[(i * 7) % len(FIRST)], LAST[(i * 11) % len(LAST)]
        store = "CoreLDove" if i <= 60 else "Beanbar"
        email = f"{first.lower()}.{last.lower()}{i}@{DOMAINS[i % len(DOMAINS)]}"
        rows.append([i, f"{first} {last}", email, rng.choice(CITIES), store, rng.choice(SOURCES), None, None])
    return rows


def _orders(rng: random.Random, customers: list[list[Any]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    orders: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    by_store = {s: [c[0] for c in customers if c[4] == s] for s in STORE_CHANNELS}
    products = {s: [p for p in PRODUCTS if p[6] == s] for s in STORE_CHANNELS}
    for month in _months():
        season = 5 if month.month in (3, 4) else 6 if month.month in (11, 12) else 0
        for store, base in (("CoreLDove", 9), ("Beanbar", 4)):
            for _ in range(base + rng.randrange(4) + (season if store == "CoreLDove" else season // 3)):
                pool = by_store[store]
                customer = pool[min(int(rng.expovariate(1 / 14)), len(pool) - 1)]  # some customers come back
                day = _day_in(rng, month)
                order_id = len(orders) + 1
                items = rng.sample(products[store], k=1 + min(rng.randrange(4), 2))
                subtotal, count = 0.0, 0
                for product in items:
                    quantity = 1 + int(rng.random() < 0.3) + int(rng.random() < 0.1)
                    lines.append((len(lines) + 1, order_id, product[0], quantity, product[4]))
                    subtotal += quantity * product[4]
                    count += quantity
                code, pct = None, 0.0
                if month.month in (3, 4) and rng.random() < 0.45:
                    code, pct = "SPRING20", 0.20
                elif month.month == 11 and rng.random() < 0.5:
                    code, pct = "BF25", 0.25
                elif rng.random() < 0.12:
                    code, pct = "WELCOME10", 0.10
                discount = round(subtotal * pct, 2)
                status = rng.choices(("fulfilled", "refunded", "canceled"), weights=(95, 3, 2))[0]
                orders.append((
                    order_id, f"#{1000 + order_id}", store, customer, day.isoformat(),
                    _weighted(rng, STORE_CHANNELS[store]), count, round(subtotal, 2), discount, code,
                    round(subtotal - discount, 2), status,
                ))
    return orders, lines


def _leads_and_deals(rng: random.Random) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    leads: list[tuple[Any, ...]] = []
    deals: list[tuple[Any, ...]] = []
    stages = ("Prospecting", "Qualification", "Proposal", "Negotiation")
    for month in _months():
        for client, base in (("Bizoholic", 3), ("Casa Verde", 2)):
            for _ in range(base + rng.randrange(4)):
                lead_id = len(leads) + 1
                first, last = rng.choice(FIRST), rng.choice(LAST)
                created = _day_in(rng, month)
                assigned = created + timedelta(days=rng.randrange(4)) if rng.random() < 0.9 else None
                won = created + timedelta(days=7 + rng.randrange(54)) if rng.random() < 0.2 else None
                if won is not None and won > END:
                    won = None
                status = "won" if won else rng.choices(("open", "lost"), weights=(65, 35))[0]
                leads.append((
                    lead_id, client, f"{first} {last}", f"{first.lower()}.{last.lower()}{lead_id}@example.com",
                    rng.choice(LEAD_SOURCES), rng.choice(INDUSTRIES), created.isoformat(),
                    assigned.isoformat() if assigned else None, won.isoformat() if won else None, status,
                ))
                if won or (assigned and rng.random() < 0.2):
                    opened = (assigned or created) + timedelta(days=2)
                    amount = float(rng.randrange(15, 121) * 100)
                    if won:
                        stage, closed, outcome = "Closed Won", won.isoformat(), "won"
                    elif status == "lost":
                        stage, closed, outcome = "Closed Lost", (opened + timedelta(days=20)).isoformat(), "lost"
                    else:
                        stage, closed, outcome = rng.choice(stages), None, "open"
                    deals.append((len(deals) + 1, lead_id, client, f"{client} - {first} {last}", stage, amount,
                                  opened.isoformat(), closed, outcome))
    return leads, deals


def _campaigns(rng: random.Random) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for name, client, first_week, weeks, channels in CAMPAIGNS:
        for week in range(weeks):
            for channel, target in channels:
                spend = round(rng.uniform(150, 900), 2)
                impressions = int(spend * rng.uniform(80, 140))
                clicks = int(impressions * rng.uniform(0.01, 0.04))
                leads = int(clicks * rng.uniform(0.02, 0.08))
                orders = 0 if client == "Casa Verde" else int(clicks * rng.uniform(0.015, 0.05))
                revenue = round(leads * rng.uniform(40, 90) if client == "Casa Verde" else orders * rng.uniform(35, 60), 2)
                rows.append((len(rows) + 1, name, client, channel, (first_week + timedelta(weeks=week)).isoformat(),
                             spend, impressions, clicks, leads, orders, revenue, target))
    return rows


def _sessions(rng: random.Random) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    week = date(2025, 1, 6)
    while week <= END:
        for source in ("organic", "paid", "social"):
            sessions = rng.randrange(200, 900)
            views = int(sessions * rng.uniform(0.4, 0.6))
            carts = int(views * rng.uniform(0.08, 0.15))
            checkouts = int(carts * rng.uniform(0.45, 0.65))
            rows.append((len(rows) + 1, week.isoformat(), "CoreLDove", source, sessions,
                         int(sessions * rng.uniform(0.15, 0.3)), views, carts, checkouts,
                         int(checkouts * rng.uniform(0.55, 0.8))))
        week += timedelta(weeks=1)
    return rows


def _ab_tests(rng: random.Random) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for name, started, ended in AB_TESTS:
        for variant in ("A", "B"):
            visitors = rng.randrange(1500, 4000)
            conversions = int(visitors * rng.uniform(0.02, 0.05))
            rows.append((len(rows) + 1, name, variant, started.isoformat(), ended.isoformat(), visitors, conversions,
                         round(conversions * rng.uniform(30, 55), 2)))
    return rows


def _usage(rng: random.Random) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    day = date(2026, 9, 1)
    while day <= END:
        for tenant in TENANTS:
            runs = rng.randrange(5, 41) if day.weekday() < 5 else rng.randrange(0, 8)
            asked = int(runs * rng.uniform(0.2, 0.4))
            rows.append((len(rows) + 1, day.isoformat(), tenant, runs, asked, asked - int(asked * rng.uniform(0, 0.2))))
        day += timedelta(days=1)
    return rows


@functools.lru_cache(maxsize=1)
def demo_tables() -> dict[str, Table]:
    """Every demo table by name (the same rows on every call and in every process)."""
    rng = random.Random(SEED)
    customers = _customers(rng)
    orders, lines = _orders(rng, customers)
    first_orders: dict[int, str] = {}
    for order in orders:
        first_orders[order[3]] = min(order[4], first_orders.get(order[3], order[4]))
    for customer in customers:
        first = first_orders.get(customer[0])
        customer[6] = first[:7] if first else None
        customer[7] = (date.fromisoformat(first) - timedelta(days=rng.randrange(30))).isoformat() if first else None
    leads, deals = _leads_and_deals(rng)

    def table(name: str, columns: str, rows: Any, description: str) -> Table:
        pairs = tuple((n, t) for n, t in (part.split(":") for part in columns.split()))
        return Table(name, pairs, tuple(tuple(r) for r in rows), description)

    tables = [
        table("products", "id:INTEGER sku:TEXT name:TEXT category:TEXT price:REAL cost:REAL store:TEXT", PRODUCTS,
              "Products of both stores with list price and unit cost"),
        table("customers", "id:INTEGER name:TEXT email:TEXT city:TEXT store:TEXT source:TEXT first_order_month:TEXT "
              "created_on:DATE", customers, "Store customers, how they found the store and the month of their first order"),
        table("orders", "id:INTEGER order_number:TEXT store:TEXT customer_id:INTEGER order_date:DATE channel:TEXT "
              "items:INTEGER subtotal:REAL discount:REAL discount_code:TEXT total:REAL status:TEXT", orders,
              "Orders of CoreLDove and Beanbar: date, sales channel, totals and discount codes"),
        table("order_lines", "id:INTEGER order_id:INTEGER product_id:INTEGER quantity:INTEGER unit_price:REAL", lines,
              "Order lines: product, quantity and unit price"),
        table("leads", "id:INTEGER client:TEXT name:TEXT email:TEXT source:TEXT industry:TEXT created_on:DATE "
              "assigned_on:DATE won_on:DATE status:TEXT", leads, "Leads of Bizoholic and its client Casa Verde"),
        table("deals", "id:INTEGER lead_id:INTEGER client:TEXT name:TEXT stage:TEXT amount:REAL created_on:DATE "
              "closed_on:DATE status:TEXT", deals, "Sales pipeline deals opened from leads"),
        table("campaigns", "id:INTEGER campaign:TEXT client:TEXT channel:TEXT week_start:DATE spend:REAL "
              "impressions:INTEGER clicks:INTEGER leads:INTEGER orders:INTEGER revenue:REAL target_roas:REAL",
              _campaigns(rng), "Ad campaign results per channel and week, with the target ROAS"),
        table("site_sessions", "id:INTEGER week_start:DATE store:TEXT source:TEXT sessions:INTEGER searches:INTEGER "
              "product_views:INTEGER add_to_carts:INTEGER checkouts:INTEGER purchases:INTEGER", _sessions(rng),
              "Weekly storefront sessions by traffic source, with the purchase funnel"),
        table("ab_tests", "id:INTEGER test_name:TEXT variant:TEXT started_on:DATE ended_on:DATE visitors:INTEGER "
              "conversions:INTEGER revenue:REAL", _ab_tests(rng), "A/B tests on the CoreLDove storefront"),
        table("tenant_usage", "id:INTEGER day:DATE tenant:TEXT runs:INTEGER approvals_asked:INTEGER "
              "approvals_granted:INTEGER", _usage(rng), "Brain runs and approvals per tenant and day"),
    ]
    return {t.name: t for t in tables}
