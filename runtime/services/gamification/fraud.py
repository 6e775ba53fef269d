"""Fraud checks on a referral redemption: deterministic, each with a score and a reason.

Each check looks at facts gathered beforehand (`RedemptionFacts`) and returns
{check, score, reason}; a check that finds nothing scores 0 and says what it compared. The total
(capped at 100) against the tenant's threshold decides whether a grant is held for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from runtime.services.gamification.store import email_domain, squash

# Points each check adds when it fires. The default threshold is 50: any one of the self-referral,
# velocity or disposable-email signals holds a grant alone; reuse across tenants needs company.
SCORES = {
    "self_referral_domain": 60,   # the referee's email domain is the referrer's
    "self_referral_device": 60,   # the referee's device/IP hash is the referrer's
    "shared_device": 40,          # ...or another referee's of the same code
    "velocity": 50,               # too many redemptions of the code in the last hour
    "disposable_email": 50,       # a throwaway mailbox
    "cross_tenant_reuse": 40,     # the same email or device redeemed codes in other tenants
}

# Throwaway mailbox providers (a subdomain of one counts too).
DISPOSABLE_DOMAINS = frozenset({
    "mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com", "grr.la", "10minutemail.com",
    "tempmail.com", "temp-mail.org", "tempmailo.com", "yopmail.com", "trashmail.com", "getnada.com",
    "dispostable.com", "maildrop.cc", "throwawaymail.com", "fakeinbox.com", "mintemail.com", "mailnesia.com",
    "emailondeck.com", "spamgourmet.com", "moakt.com", "mohmal.com", "burnermail.io", "mailpoof.com",
})
# Shared webmail: two people on gmail.com are not the same company.
WEBMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com",
    "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.net", "mail.com", "yandex.com", "zoho.com",
})


class Check(TypedDict):
    check: str
    score: int
    reason: str


@dataclass(frozen=True)
class RedemptionFacts:
    code: str
    referrer: str
    referee: str  # lower-case email
    referrer_email: str | None = None
    referrer_device: str | None = None
    device_hash: str | None = None
    recent_uses: int = 0         # redemptions of the code in the last hour by other referees
    velocity_limit: int = 5
    device_shared_with: int = 0  # other referees of the code with the same device hash
    other_tenants: int = 0       # other tenants where this email or device redeemed a code


def self_referral_domain(f: RedemptionFacts) -> Check:
    domain = email_domain(f.referee)
    name = "self_referral_domain"
    if f.referrer_email and f.referrer_email.lower() == f.referee:
        return Check(check=name, score=SCORES[name], reason=f"the referee {f.referee} is the referrer's own email")
    if f.referrer_email and email_domain(f.referrer_email) == domain and domain not in WEBMAIL_DOMAINS:
        return Check(check=name, score=SCORES[name],
                     reason=f"the referee's domain {domain} is the referrer's email domain")
    label, company = squash(domain.split(".")[0]), squash(f.referrer)
    if domain not in WEBMAIL_DOMAINS and len(company) >= 4 and label == company:
        return Check(check=name, score=SCORES[name],
                     reason=f"the referee's domain {domain} is the referrer {f.referrer}'s own name")
    return Check(check=name, score=0, reason=f"the referee's domain {domain} is not the referrer {f.referrer}'s")


def self_referral_device(f: RedemptionFacts) -> Check:
    if not f.device_hash:
        return Check(check="self_referral_device", score=0, reason="no device or IP hash was given for this signup")
    if f.referrer_device and f.device_hash == f.referrer_device:
        return Check(check="self_referral_device", score=SCORES["self_referral_device"],
                     reason="the signup came from the referrer's own device or IP address")
    if f.device_shared_with:
        return Check(check="self_referral_device", score=SCORES["shared_device"],
                     reason=f"the same device or IP address redeemed {f.code} for {f.device_shared_with} other "
                            f"referee(s)")
    return Check(check="self_referral_device", score=0,
                 reason="the device or IP hash is neither the referrer's nor another referee's of this code")


def velocity(f: RedemptionFacts) -> Check:
    count = f.recent_uses + 1
    if count > f.velocity_limit:
        return Check(check="velocity", score=SCORES["velocity"],
                     reason=f"{count} redemptions of {f.code} in the last hour, this one included "
                            f"(limit {f.velocity_limit} an hour)")
    return Check(check="velocity", score=0,
                 reason=f"{count} redemption(s) of {f.code} in the last hour (limit {f.velocity_limit} an hour)")


def disposable_email(f: RedemptionFacts) -> Check:
    domain = email_domain(f.referee)
    if any(domain == d or domain.endswith(f".{d}") for d in DISPOSABLE_DOMAINS):
        return Check(check="disposable_email", score=SCORES["disposable_email"],
                     reason=f"{domain} is a disposable email provider")
    return Check(check="disposable_email", score=0, reason=f"{domain} is not a known disposable email provider")


def cross_tenant_reuse(f: RedemptionFacts) -> Check:
    if f.other_tenants:
        return Check(check="cross_tenant_reuse", score=SCORES["cross_tenant_reuse"],
                     reason=f"this email or device already redeemed referral codes with {f.other_tenants} other "
                            f"business(es) on the platform")
    return Check(check="cross_tenant_reuse", score=0, reason="no redemptions by this email or device elsewhere")


CHECKS = (self_referral_domain, self_referral_device, velocity, disposable_email, cross_tenant_reuse)


def assess(facts: RedemptionFacts, threshold: int) -> dict[str, Any]:
    """Every check's result, the total score (0-100) and whether it reaches the threshold."""
    checks = [check(facts) for check in CHECKS]
    score = min(100, sum(c["score"] for c in checks))
    fired = [c for c in checks if c["score"]]
    return {"score": score, "threshold": threshold, "suspicious": score >= threshold, "checks": checks,
            "signals": [c["check"] for c in fired]}


def explain(assessment: dict[str, Any]) -> str:
    """One line naming the checks that fired, for a hold reason."""
    fired = [c for c in assessment["checks"] if c["score"]]
    parts = "; ".join(f"{c['check']} +{c['score']}: {c['reason']}" for c in fired) or "no check fired"
    return f"fraud score {assessment['score']} (threshold {assessment['threshold']}): {parts}"
