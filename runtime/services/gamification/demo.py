"""Demo data of a new tenant's gamification space: reward tiers, achievement definitions, referral
codes (the ones the agents' example requests name), a few awards and leaderboard scores.

Seeded on the first use of a tenant and space, like the sandbox systems' demo data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from runtime import clock

# (subject, industry, platform): the agency's demo clients, as in the CRM sandbox.
CLIENTS = [
    ("Casa Verde", "food & beverage", "bizoholic"), ("Beanbar", "food & beverage", "coreldove"),
    ("Glow Salon", "beauty", "directory"), ("Sol Foods", "food & beverage", "bizoholic"),
    ("Sunrise Bakery", "food & beverage", "directory"), ("Ravi's Kitchen", "food & beverage", "directory"),
    ("Northside Dental", "healthcare", "bizoholic"), ("Peak Fitness", "fitness", "bizoholic"),
    ("Align Physiotherapy", "healthcare", "bizoholic"),
]
# Per client: this period's value on each board (counts are this month's; older counts add to all time).
BOARDS: dict[str, Sequence[float]] = {
    "referrals":      [4, 2, 3, 1, 0, 2, 1, 0, 1],
    "orders":         [0, 87, 0, 140, 64, 45, 0, 0, 0],
    "revenue_growth": [18.5, 12.0, 22.4, 9.1, 15.3, 7.8, 4.2, 11.6, 6.9],
    "campaign_roi":   [3.4, 2.1, 4.8, 1.9, 2.7, 1.5, 2.2, 3.9, 1.2],
    "campaign_ctr":   [3.6, 2.4, 4.1, 1.8, 2.9, 2.2, 1.4, 3.2, 1.1],
}
EARLIER: dict[str, Sequence[float]] = {"referrals": [6, 1, 2, 3, 1, 0, 0, 1, 0], "orders": [0, 910, 0, 860, 410, 300, 0, 0, 0]}


def demo_data(now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    now = now or clock.now()
    scores: list[dict[str, Any]] = []
    for board, values in BOARDS.items():
        for (subject, industry, platform), value in zip(CLIENTS, values, strict=True):
            if value:
                scores.append({"board": board, "subject": subject, "score": value, "industry": industry,
                               "platform": platform, "recorded_at": now.isoformat()})
    for board, values in EARLIER.items():
        for (subject, industry, platform), value in zip(CLIENTS, values, strict=True):
            if value:
                scores.append({"board": board, "subject": subject, "score": value, "industry": industry,
                               "platform": platform, "recorded_at": (now - timedelta(days=120)).isoformat()})
    next_year = (now + timedelta(days=365)).date().isoformat()
    return {
        "settings": [{"fraud_threshold": 50, "hold_reward_value": 100, "velocity_limit": 5}],
        "reward_tiers": [
            {"name": "standard", "kind": "discount", "value": 25, "default": True,
             "description": "25 USD off the next invoice, for both sides"},
            {"name": "bronze", "kind": "discount", "value": 10, "description": "10% off the next order (about 10 USD)"},
            {"name": "silver", "kind": "discount", "value": 50, "description": "50 USD off the next invoice"},
            {"name": "gold", "kind": "premium_feature", "value": 150,
             "description": "3 months of the premium analytics add-on"},
            {"name": "platinum", "kind": "exclusive_access", "value": 400,
             "description": "early access to beta features and a quarterly strategy session"},
        ],
        "achievement_definitions": [
            {"achievement": "First Referral", "metric": "referrals", "threshold": 1, "period": "all",
             "description": "a first referred client signed up"},
            {"achievement": "Referral Champion", "metric": "referrals", "threshold": 10, "period": "all",
             "description": "10 referred clients signed up"},
            {"achievement": "Busy Week", "metric": "orders", "threshold": 10, "period": "week",
             "description": "10 orders in a week"},
            {"achievement": "First 100 Orders", "metric": "orders", "threshold": 100, "period": "all",
             "description": "100 store orders"},
            {"achievement": "1,000 Orders", "metric": "orders", "threshold": 1000, "period": "all",
             "description": "1,000 store orders"},
            {"achievement": "Click Magnet", "metric": "campaign_ctr", "threshold": 3, "period": "month",
             "description": "campaign CTR over 3% in a month"},
            {"achievement": "Deal Closer", "metric": "won_deals", "threshold": 3, "period": "quarter",
             "description": "3 deals won in a quarter"},
            {"achievement": "Badge Collector", "metric": "achievements", "threshold": 5, "period": "all",
             "description": "5 badges earned"},
        ],
        "referral_codes": [
            {"code": "CASA-7K2", "referrer": "Casa Verde", "platform": "bizoholic", "usage_limit": 5,
             "referrer_email": "hola@casaverde.mx"},
            {"code": "BEAN-4XQ", "referrer": "Beanbar", "platform": "directory", "reward_tier": "silver",
             "referrer_email": "owner@beanbar.cafe"},
            {"code": "SOL-88A", "referrer": "Sol Foods", "platform": "bizoholic", "reward_tier": "gold",
             "usage_limit": 10, "expires_at": next_year},
            {"code": "GLOW-2B9", "referrer": "Glow Salon", "platform": "directory", "usage_limit": 20},
        ],
        "redemptions": [
            {"code": "CASA-7K2", "referee": "lena@brightdental.example", "reference": "Bright Dental SEO",
             "status": "granted", "created_at": (now - timedelta(days=20)).isoformat()},
            {"code": "CASA-7K2", "referee": "marco@tacoloco.example", "status": "granted",
             "created_at": (now - timedelta(days=9)).isoformat()},
        ],
        "achievements": [
            {"subject": "Casa Verde", "achievement": "First Referral", "evidence": "Bright Dental signed up with CASA-7K2"},
            {"subject": "Beanbar", "achievement": "First 100 Orders", "platform": "coreldove",
             "evidence": "store orders passed 100"},
            {"subject": "Glow Salon", "achievement": "Click Magnet", "evidence": "4.1% CTR on the spring campaign"},
        ],
        "leaderboard_scores": scores,
        "leaderboard_visibility": [
            {"subject": "Casa Verde", "visibility": "public"}, {"subject": "Glow Salon", "visibility": "public"},
            {"subject": "Sol Foods", "visibility": "public"}, {"subject": "Northside Dental", "visibility": "hidden"},
        ],
    }
