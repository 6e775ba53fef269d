"""The demo site: an agency's pages, a blog, landing pages and a local Business Directory."""

from __future__ import annotations

from typing import Any

OLD = "2024-02-12T09:00:00Z"
LAST_YEAR = "2025-03-03T10:30:00Z"
RECENT = "2026-11-10T14:00:00Z"


def _listing(title: str, category: str, address: str, phone: str | None, hours: str | None,
             status: str = "live", **extra: Any) -> dict[str, Any]:
    fields = {"category": category, "address": address, "phone": phone, "hours": hours, **extra}
    return {"title": title, "page_type": "directory_listing", "parent": "/directory/", "status": status,
            "body": f"{title} is a local {category.lower()} listed in the Business Directory.",
            "fields": {k: v for k, v in fields.items() if v is not None}, "updated_at": LAST_YEAR}


def demo_seed() -> dict[str, Any]:
    """Seed data for `WagtailStore.seed` (a fresh dict on every call)."""
    pages: list[dict[str, Any]] = [
        {"title": "Home", "slug": "home", "page_type": "home", "body": "# Grow your local business\n\n"
         "SEO, ads and websites for cafes, salons and clinics.", "seo_title": "BizOSaaS Agency",
         "search_description": "Digital marketing for local businesses.", "updated_at": LAST_YEAR},
        {"title": "Services", "page_type": "standard", "body": "What we do for local businesses.",
         "seo_title": "Our services", "search_description": "SEO, Google Ads and web design.", "updated_at": LAST_YEAR},
        {"title": "SEO Package", "page_type": "service", "parent": "/services/", "fields": {"price_from": "499"},
         "body": "Local SEO: Google Business Profile, reviews, on-page fixes.", "seo_title": "Local SEO package",
         "search_description": "Rank in the local pack.", "updated_at": LAST_YEAR},
        {"title": "Google Ads Management", "page_type": "service", "parent": "/services/",
         "fields": {"price_from": "350"}, "body": "Search and Maps campaigns managed monthly.",
         "updated_at": LAST_YEAR},
        {"title": "Website Design", "page_type": "service", "parent": "/services/", "fields": {"price_from": "1500"},
         "body": "Fast, mobile-first websites on Wagtail.", "seo_title": "Website design",
         "search_description": "Websites that convert.", "updated_at": RECENT},
        {"title": "About", "page_type": "standard", "body": "A small team helping local businesses since 2016.",
         "updated_at": OLD},
        {"title": "Pricing", "page_type": "standard", "body": "Plans from $199 a month (2024 prices).",
         "seo_title": "Pricing", "updated_at": OLD},
        {"title": "Blog", "page_type": "blog_index", "body": "News and guides.", "seo_title": "Blog",
         "search_description": "Marketing guides for local businesses.", "updated_at": LAST_YEAR},
        {"title": "How Google reviews bring in local customers", "slug": "google-reviews", "page_type": "blog",
         "parent": "/blog/", "fields": {"date": "2025-03-01", "author": "Priya"},
         "body": "Reviews are the cheapest **local SEO** win.\n\n- Ask every happy customer\n- Reply to every review",
         "seo_title": "Google reviews for local SEO", "search_description": "Why reviews matter and how to get more.",
         "updated_at": LAST_YEAR},
        {"title": "5 SEO quick wins for cafes", "slug": "seo-quick-wins-cafes", "page_type": "blog",
         "parent": "/blog/", "fields": {"date": "2024-02-10", "author": "Sam"},
         "body": "Claim your profile, add hours, post photos, collect reviews, fix your menu page.",
         "seo_title": "SEO quick wins for cafes", "updated_at": OLD},
        {"title": "Launch post: BizOSaaS is here", "slug": "launch", "page_type": "blog", "parent": "/blog/",
         "status": "draft", "fields": {"date": "2026-11-20", "author": "Priya"},
         "body": "# We are live\n\nBizOSaaS brings SEO, ads and a CRM together for local businesses.",
         "updated_at": RECENT},
        {"title": "Spring promo ideas", "slug": "spring-promo-ideas", "page_type": "blog", "parent": "/blog/",
         "fields": {"date": "2025-03-20", "author": "Sam"}, "body": "Three spring promotions that work.",
         "search_description": "Spring promotions for local shops.", "updated_at": LAST_YEAR,
         "draft": {"body": "Five spring promotions that work (updated for 2026).", "updated_at": RECENT}},
        {"title": "Summer Promo", "page_type": "landing", "fields": {"headline": "Summer SEO sprint",
         "offer": "20% off the first 3 months", "cta_label": "Book a call", "cta_url": "/contact/"},
         "body": "Get found this summer.", "updated_at": LAST_YEAR},
        {"title": "Free SEO Audit", "page_type": "landing", "status": "draft",
         "fields": {"headline": "Free local SEO audit", "cta_label": "Get my audit"},
         "body": "We review your Google profile and site for free.", "updated_at": RECENT},
        {"title": "Black Friday Offer", "page_type": "landing", "status": "draft",
         "fields": {"headline": "Black Friday: 2 months free"}, "body": "Our biggest offer of the year.",
         "updated_at": RECENT},
        {"title": "Business Directory", "slug": "directory", "page_type": "directory",
         "body": "Local businesses we love.", "seo_title": "Local Business Directory", "updated_at": LAST_YEAR},
        _listing("Beanbar Cafe", "Cafe", "12 Market St", "+1 555 0101", "Mon-Sun 7:00-18:00",
                 website="https://beanbar.cafe"),
        _listing("Casa Verde", "Restaurant", "48 Olive Ave", "+52 55 1234 5678", None,
                 website="https://casaverde.mx", email="maria@casaverde.mx"),
        _listing("Sunrise Bakery", "Bakery", "7 Baker Lane", None, "Tue-Sun 6:00-14:00"),
        _listing("Glow Salon", "Salon", "210 High St", "+1 555 0144", "Tue-Sat 10:00-19:00"),
        _listing("Greenleaf Pharmacy", "Pharmacy", "3 Station Rd", None, None),
        _listing("Align Physiotherapy", "Physiotherapist", "55 Park Rd", "+1 555 0188", "Mon-Fri 8:00-17:00",
                 status="draft"),
    ]
    images = [
        {"title": "Beanbar storefront", "alt_text": "The Beanbar Cafe storefront on Market Street",
         "collection": "Directory", "tags": ["directory", "cafe"]},
        {"title": "Casa Verde dining room", "alt_text": "", "collection": "Directory", "tags": ["directory"]},
        {"title": "Sunrise Bakery croissants", "alt_text": "", "collection": "Directory", "tags": ["directory"]},
        {"title": "Glow Salon interior", "alt_text": "Styling chairs at Glow Salon", "collection": "Directory",
         "tags": ["directory", "salon"]},
        {"title": "Team photo", "alt_text": "", "collection": "Marketing", "tags": ["about"]},
        {"title": "Launch hero banner", "alt_text": "BizOSaaS dashboard on a laptop", "collection": "Marketing",
         "tags": ["blog", "launch"]},
    ]
    documents = [
        {"title": "Rate card 2026", "collection": "Sales", "tags": ["rate card", "pricing"], "file": "rate-card-2026.pdf"},
        {"title": "Services brochure", "collection": "Sales", "tags": ["brochure"], "file": "services-brochure.pdf"},
        {"title": "Client contract template", "collection": "Legal", "tags": ["contract"],
         "file": "client-contract-template.docx"},
    ]
    return {"pages": pages, "images": images, "documents": documents}
