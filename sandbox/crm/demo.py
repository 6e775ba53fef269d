"""The demo CRM: an agency's sales team, local-business leads, client accounts, deals and tasks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sandbox.crm.state import today


def _day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def _stamp(offset: int) -> str:
    return f"{_day(offset)}T10:00:00Z"


def demo_seed() -> dict[str, Any]:
    """Seed data for `CrmStore.seed` (a fresh dict on every call; dates relative to today)."""
    return {
        "users": [
            {"email": "dana@agency.example", "name": "Dana Reyes", "role": "ADMIN"},
            {"email": "priya@agency.example", "name": "Priya Shah"},
            {"email": "sam@agency.example", "name": "Sam Okafor"},
        ],
        "tags": ["client", "prospect", "churned", "directory", "seo"],
        "accounts": [
            {"name": "Casa Verde", "website": "https://casaverde.mx", "email": "hola@casaverde.mx",
             "phone": "+52 55 1234 5678", "industry": "FOOD & BEVERAGE", "employees": 18, "city": "Mexico City",
             "country": "MX", "owner": "priya@agency.example", "tags": ["client"],
             "fields": {"contract_end": _day(45)}, "created_at": _stamp(-400)},
            {"name": "Beanbar", "website": "https://beanbar.cafe", "email": "owner@beanbar.cafe",
             "phone": "+1 555 0101", "industry": "FOOD & BEVERAGE", "employees": 6, "city": "Austin",
             "country": "US", "owner": "sam@agency.example", "tags": ["client", "directory"], "created_at": _stamp(-300)},
            {"name": "Glow Salon", "website": "https://glowsalon.example", "phone": "+1 555 0144",
             "industry": "SERVICE", "employees": 9, "city": "Austin", "country": "US", "owner": "priya@agency.example",
             "tags": ["prospect"], "created_at": _stamp(-60)},
            {"name": "Northside Dental", "website": "https://northsidedental.example", "industry": "HEALTHCARE",
             "employees": 25, "city": "Denver", "country": "US", "owner": "dana@agency.example", "tags": ["churned"],
             "created_at": _stamp(-700)},
        ],
        "contacts": [
            {"email": "hola@casaverde.mx", "first_name": "Lucia", "last_name": "Ramos", "title": "General Manager",
             "account": "Casa Verde", "phone": "+52 55 1234 5600", "owner": "priya@agency.example"},
            {"email": "owner@beanbar.cafe", "first_name": "Tom", "last_name": "Baker", "title": "Owner",
             "account": "Beanbar", "owner": "sam@agency.example"},
            {"email": "nina@glowsalon.example", "first_name": "Nina", "last_name": "Park", "title": "Owner",
             "account": "Glow Salon", "phone": "+1 555 0145"},
            {"email": "office@northsidedental.example", "first_name": "Ravi", "last_name": "Menon",
             "title": "Office Manager", "account": "Northside Dental", "do_not_call": True},
        ],
        "leads": [
            {"first_name": "Maria", "last_name": "Lopez", "email": "maria@casaverde.mx", "company_name": "Casa Verde",
             "job_title": "Owner", "phone": "+52 55 1234 5678", "website": "https://casaverde.mx", "source": "website",
             "industry": "FOOD & BEVERAGE", "title": "SEO package inquiry", "opportunity_amount": 1500,
             "description": "Wants to rank for 'restaurant near me' and fix Google reviews.", "status": "in process",
             "stage": "Qualified", "rating": "HOT", "score": 82,
             "score_reasons": ["Owner", "Budget stated", "Existing client account"], "owner": "priya@agency.example",
             "tags": ["seo"], "next_follow_up": _day(2), "created_at": _stamp(-12)},
            {"first_name": "Tom", "last_name": "Baker", "email": "tom@beanbar.cafe", "company_name": "Beanbar",
             "job_title": "Owner", "source": "partner", "industry": "FOOD & BEVERAGE", "title": "Google Ads for 2nd location",
             "opportunity_amount": 800, "status": "assigned", "stage": "Contacted", "owner": "sam@agency.example",
             "created_at": _stamp(-9)},
            {"first_name": "Sofia", "last_name": "Alvarez", "email": "sofia@solfoods.example", "company_name": "Sol Foods",
             "job_title": "Marketing Lead", "source": "email", "industry": "FOOD & BEVERAGE",
             "title": "Website redesign", "opportunity_amount": 4000, "created_at": _stamp(-5)},
            {"first_name": "Nina", "last_name": "Park", "email": "nina@glowsalon.example", "company_name": "Glow Salon",
             "job_title": "Owner", "source": "call", "industry": "SERVICE", "title": "Local SEO and booking page",
             "rating": "WARM", "score": 61, "score_reasons": ["Owner", "No budget yet"], "owner": "priya@agency.example",
             "status": "in process", "stage": "New", "created_at": _stamp(-20)},
            {"first_name": "Omar", "last_name": "Haddad", "email": "omar@sunrisebakery.example",
             "company_name": "Sunrise Bakery", "source": "website", "title": "Directory listing upgrade",
             "created_at": _stamp(-2)},
            {"first_name": "Grace", "last_name": "Kim", "email": "grace@greenleafpharmacy.example",
             "company_name": "Greenleaf Pharmacy", "job_title": "Pharmacist", "source": "website",
             "industry": "HEALTHCARE", "title": "Google Business Profile setup", "rating": "COLD", "score": 35,
             "score_reasons": ["Small budget"], "owner": "sam@agency.example", "status": "recycled",
             "created_at": _stamp(-40)},
            {"first_name": "Leo", "last_name": "Martin", "email": "leo@alignphysio.example",
             "company_name": "Align Physiotherapy", "source": "partner", "industry": "HEALTHCARE",
             "title": "SEO package inquiry", "opportunity_amount": 1200, "created_at": _stamp(-1)},
            {"first_name": "Ben", "last_name": "Carter", "email": "ben@oldco.example", "company_name": "OldCo",
             "source": "other", "title": "Logo design", "status": "closed", "created_at": _stamp(-90)},
        ],
        "opportunities": [
            {"name": "Casa Verde - SEO retainer renewal", "created_at": _stamp(-25), "account": "Casa Verde", "stage": "Proposal", "amount": 6000,
             "close_date": _day(20), "probability": 60, "type": "RENEWAL", "owner": "priya@agency.example",
             "days_in_stage": 5},
            {"name": "Beanbar - Google Ads", "created_at": _stamp(-45), "account": "Beanbar", "stage": "Negotiation", "amount": 2400,
             "close_date": _day(-3), "probability": 70, "type": "UPSELL", "owner": "sam@agency.example",
             "days_in_stage": 30},
            {"name": "Glow Salon - Local SEO", "created_at": _stamp(-10), "account": "Glow Salon", "stage": "Qualification", "amount": 1800,
             "close_date": _day(35), "probability": 30, "type": "NEW_BUSINESS", "owner": "priya@agency.example",
             "days_in_stage": 3},
            {"name": "Northside Dental - Website", "account": "Northside Dental", "stage": "Closed Lost",
             "amount": 5000, "close_date": _day(-120), "probability": 0, "type": "NEW_BUSINESS",
             "owner": "dana@agency.example", "created_at": _stamp(-200)},
        ],
        "tasks": [
            {"title": "Call Maria about the SEO proposal", "due": _day(-2), "owner": "priya@agency.example",
             "priority": "High", "related_to": "lead:maria@casaverde.mx"},
            {"title": "Send Beanbar the Ads report", "due": _day(-5), "owner": "sam@agency.example",
             "priority": "Medium", "related_to": "account:Beanbar"},
            {"title": "Prepare Casa Verde renewal deck", "due": _day(7), "owner": "priya@agency.example",
             "priority": "High", "related_to": "opportunity:Casa Verde - SEO retainer renewal"},
            {"title": "Book Glow Salon photo shoot", "due": _day(14), "owner": "sam@agency.example",
             "priority": "Low", "related_to": "account:Glow Salon", "status": "In Progress"},
            {"title": "Archive Northside Dental files", "due": _day(-30), "owner": "dana@agency.example",
             "priority": "Low", "related_to": "account:Northside Dental", "status": "Completed"},
        ],
        "notes": [
            {"related_to": "lead:maria@casaverde.mx", "body": "Call: wants results before the summer season.",
             "created_at": _stamp(-10), "author": "priya@agency.example"},
            {"related_to": "account:Casa Verde", "body": "Meeting: happy with reviews growth, asked about Ads.",
             "created_at": _stamp(-30), "author": "priya@agency.example"},
            {"related_to": "account:Beanbar", "body": "Email: second location opens next month.",
             "created_at": _stamp(-8), "author": "sam@agency.example"},
            {"related_to": "opportunity:Northside Dental - Website", "body": "Lost: chose a cheaper freelancer.",
             "created_at": _stamp(-120), "author": "dana@agency.example"},
        ],
    }
