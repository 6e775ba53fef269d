"""Demo data: the people linked to the sandbox Telegram of a new sandbox tenant (team, family, clients).

Sandbox seed data, not understanding: nothing outside the sandbox demo reads these names."""

from __future__ import annotations

from runtime.services.telegram.links import Link

DEMO_LINKS = (
    Link("", "alex", 700001, "Alex Morgan", kind="team", role="tenant_admin", handle="alex_owner",
         timezone="Europe/London", lists=["managers"]),
    Link("", "maria", 700002, "Maria Lopez", kind="team", role="operator", handle="maria_ops",
         timezone="Europe/London", lists=["managers", "ops"]),
    Link("", "sam", 700003, "Sam Patel", kind="team", role="operator", handle="sam_sales", timezone="Europe/London"),
    Link("", "rose", 700004, "Rose Morgan", kind="elder", handle="grandma_rose", timezone="Europe/London",
         lists=["family", "mom", "grandma"]),
    Link("", "george", 700007, "George Morgan", kind="elder", handle="grandpa_george", timezone="Europe/London",
         lists=["family", "dad", "grandpa"]),
    Link("", "dan", 700005, "Dan Morgan", kind="family", handle="dan_family", timezone="Europe/London",
         lists=["family", "brother"]),
    Link("", "priya", 700006, "Priya Shah", kind="customer", handle="priya_customer", timezone="Europe/London",
         lists=["vip customers", "restaurant clients"]),
    Link("", "rita", 700008, "Rita Morgan", kind="family", handle="aunt_rita", timezone="Europe/London",
         lists=["family", "aunt", "dad's sister"]),
    Link("", "anna", 700009, "Anna Morgan", kind="family", handle="anna_m", timezone="Europe/London",
         lists=["family", "sister"]),
    Link("", "jake", 700010, "Jake Morgan", kind="family", handle="jake_m", timezone="Europe/London",
         lists=["family", "cousin"]),
    Link("", "sunita", 700011, "Sunita Rao", kind="family", handle="sunita_r", timezone="Europe/London",
         lists=["neighbour", "mom's neighbour"]),
    Link("", "lee", 700012, "Lee Wong", kind="customer", handle="lee_wholesale", timezone="Europe/London",
         lists=["wholesale", "vip customers"]),
    # The agency's client businesses (their owners' chats), for celebrations and client updates.
    Link("", "casa_verde", 700020, "Casa Verde", kind="customer", handle="casaverde_owner", timezone="Europe/London",
         lists=["clients"]),
    Link("", "sol_foods", 700021, "Sol Foods", kind="customer", handle="solfoods_owner", timezone="Europe/London",
         lists=["clients"]),
    Link("", "glow_salon", 700022, "Glow Salon", kind="customer", handle="glowsalon_owner", timezone="Europe/London",
         lists=["clients"]),
    Link("", "beanbar", 700023, "Beanbar", kind="customer", handle="beanbar_owner", timezone="Europe/London",
         lists=["clients"]),
    Link("", "sunrise_bakery", 700024, "Sunrise Bakery", kind="customer", handle="sunrisebakery", timezone="Europe/London",
         lists=["clients"]),
    Link("", "ravis_kitchen", 700025, "Ravi's Kitchen", kind="customer", handle="ravis_kitchen", timezone="Europe/London",
         lists=["clients"]),
    Link("", "peak_fitness", 700026, "Peak Fitness", kind="customer", handle="peakfitness", timezone="Europe/London",
         lists=["clients"]),
)
