"""Tool intents: what the offline planner does when no pattern of the agent's own fits a request.

An agent's patterns are tuned to the ways its requests are usually worded; everything else used to
fall through to the agent's catch-all (a search, a list). A tool intent is the other half: for one
tool of the catalog, the words that ask for it in any order ("cancel", "void" for an order
cancellation; "take it off the store" for an unpublish) and how its arguments are read from any
request (the order number wherever it is written, the page named before the word "page", the
owner after "to"). They belong to tools, not agents, so every agent that holds a tool understands
the same words for it.

`plan_intents(request, slots, tools)` returns the calls of every intent whose words are in the
request, in the order they are written, for the tools the agent may use; writes only: reading is
what the catch-all does already.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from runtime.understanding.cues import CUES, LANGUAGES
from runtime.understanding.mentions import (
    QUESTION,
    after,
    after_colon,
    amount,
    capital_names,
    drop_none,
    emails,
    first_quoted,
    number_after,
    order_number,
    owner,
    person_or_email,
    quoted_all,
    reason,
    target,
    tidy,
)
from runtime.understanding.slots import builtin_slots

Args = dict[str, Any]
Reader = Callable[[str, dict[str, str]], Args]

IC = re.IGNORECASE


@dataclass(frozen=True)
class Intent:
    tool: str
    cue: re.Pattern[str]
    read: Reader
    unless: re.Pattern[str] | None = None  # words that mean another tool is meant
    beats: tuple[str, ...] = field(default_factory=tuple)  # tools this one replaces when both match
    needs: tuple[str, ...] = field(default_factory=tuple)  # at least one of these (a change to make) must be read
    each: str | None = None  # the argument naming the object: "X and the Y" right after the words is one call each

    def position(self, request: str) -> int | None:
        found = self.cue.search(request)
        if not found or (self.unless is not None and self.unless.search(request)):
            return None
        return found.start()


# ---- the intents -------------------------------------------------------------------------------------


def _order_cancel(request: str, slots: dict[str, str]) -> Args:
    return {"order": order_number(request, slots), "reason": reason(request)}


def _order_refund(request: str, slots: dict[str, str]) -> Args:
    order = order_number(request, slots)
    amount = slots.get("money") or number_after(request, r"\b(?:refund|give\s+back|return|back)\b")
    whole = re.search(r"\b(?:full|whole|entire|everything|what\s+(?:they|he|she|it)\s+(?:paid|cost))\b", request, IC)
    if amount is not None and order is not None and float(amount) == float(order):
        amount = None  # "refund order 3050": the number is the order's
    return {"order": order, "amount": None if whole else amount, "reason": reason(request),
            "include_shipping": True if re.search(r"\b(?:incl\w*|plus|and)\s+(?:the\s+)?shipping\b", request, IC) else None}


def _order_fulfill(request: str, slots: dict[str, str]) -> Args:
    tracking = re.search(r"\b(?:awb|tracking(?:\s+(?:number|no\.?|#|id))?|consignment)\s*[:#]?\s*([A-Z0-9-]{6,})", request, IC)
    return {"order": order_number(request, slots), "tracking_number": tracking.group(1) if tracking else None}


def _product(request: str, slots: dict[str, str], skip: Iterable[str | None] = ()) -> str | None:
    return target(request, skip=[*skip, slots.get("sku", "")])


def _product_update(request: str, slots: dict[str, str]) -> Args:
    seo_title = after_colon(request, r"\bseo\s+title\b")
    seo_description = after_colon(request, r"\b(?:seo|meta)\s+description\b")
    slug = after(request, r"\bslug\b[^,:]*?\b(?:to|:|be)(?:\s+just)?", upto=r"(?=\s|$|,)")
    name = after(request, r"\b(?:rename\b.+?\b(?:to|as)|(?:should\s+be\s+)?called|new\s+name\s*(?:is|:))")
    description = None if seo_description else after_colon(request, r"\bdescription\b")
    category = after(request, r"\b(?:into|to|in)\s+(?:the\s+)?(?=[\w ]+\s+category\b)", upto=r"(?=\s+category\b)")
    price = None
    if re.search(r"\b(?:price|cost|costs|sell|\$|dollars|usd|bucks|priced|be\s+\d)", request, IC) and not seo_title:
        price = slots.get("money") or number_after(request, r"\b(?:to|at|for|be|now)\b")
    values = [seo_title, seo_description, slug, name, description, category]
    product = target(request, skip=values) if (name or seo_title) else _product(request, slots, values)
    if name:
        rename = re.search(r"\brename\s+(?:the\s+)?(?P<old>.+?)\s+(?:to|as)\b", request, IC)
        product = tidy(rename.group("old")) if rename else product
    return {"product": product, "price": price, "name": name, "seo_title": seo_title, "slug": slug,
            "seo_description": seo_description, "description": description, "category": category}


_FIELD_END = r"(?=\s*(?:[,;]|\.(?:\s|$)|\s-\s|\band\b|$))"


def _product_create(request: str, slots: dict[str, str]) -> Args:
    kind = after(request, r"\b(?:product\s+)?type\b", upto=_FIELD_END)
    category = (after(request, r"\bcategory\b", upto=_FIELD_END)
                or after(request, r"\b(?:in|into)\s+(?:the\s+)?(?=[\w ]+\s+category\b)", upto=r"(?=\s+category\b)")
                or after(request, r"\bgoes\s+(?:in|into|under)\b", upto=_FIELD_END))
    named = (after(request, r"\b(?:called|named)\b", upto=_FIELD_END)
             or after(request, r"\b(?:new\s+)?(?:product|item)\b(?:\s+pls|\s+please)?\s*(?::|-|–)", upto=_FIELD_END)
             or after(request, r"\bsupplier\s*:", upto=_FIELD_END))
    cost = number_after(request, r"\bcost(?:\s+price)?\b")
    price = None
    if re.search(r"\bprice\b[^,]*\bx\s*cost|\b\d+(?:\.\d+)?x\s+cost", request, IC) and cost:
        factor = re.search(r"(\d+(?:\.\d+)?)\s*x\b", request, IC)
        price = f"{float(cost) * float(factor.group(1)):g}" if factor else None
    else:
        price = number_after(request, r"\b(?:price[ds]?|at|for|costing)\b") or slots.get("money")
        if price is None:
            bare = re.search(r",\s*\$?(\d+(?:\.\d{1,2}))\s*(?:,|$)", request)
            price = bare.group(1) if bare else None
    return {"name": named, "product_type": kind or "Default", "category": category or "Default", "price": price,
            "sku": slots.get("sku"), "cost_price": cost if cost != price else None}


def _product_toggle(request: str, slots: dict[str, str]) -> Args:
    return {"product": _product(request, slots), "reason": None}


def _variant(request: str, slots: dict[str, str]) -> Args:
    weight = re.search(r"(\d+(?:\.\d+)?)\s*kg\b", request, IC)
    grams = re.search(r"(\d+(?:\.\d+)?)\s*g\b", request, IC)
    kg = weight.group(1) if weight else (str(float(grams.group(1)) / 1000) if grams else None)
    cost = number_after(request, r"\bcost(?:\s+price)?\b")
    price = None
    if not cost or re.search(r"\b(?:sell|price[ds]?|retail)\b", request, IC):
        price = number_after(request, r"\b(?:sell\s+for|price[ds]?(?:\s+at)?|at|for|to)\b") or slots.get("money")
    product = target(request, skip=[slots.get("sku", "")]) if re.search(r"\b(?:on|to|for)\s+the\b|\boption\b", request, IC) else None
    return {"sku": slots.get("sku"), "price": price if price != cost else None, "cost_price": cost, "weight_kg": kg,
            "product": product}


def _voucher_off(request: str, slots: dict[str, str]) -> Args:
    return {"code": slots.get("code"), "reason": reason(request)}


def _customer_update(request: str, slots: dict[str, str]) -> Args:
    tags = quoted_all(request) or [t for t in [after(request, r"\b(?:tag|tagged|label)\s+(?:them\s+|him\s+|her\s+)?(?:as\s+)?",
                                                     upto=r"(?=\s|$|,)")] if t and t.lower() not in ("to", "on")]
    tag_words = re.search(r"\b(?:gets?|add|the)\s+(?:the\s+)?([\w-]+)\s+tag\b", request, IC)
    if tag_words:
        tags = [tag_words.group(1)]
    last = re.search(r"\blast\s+name\s+(?:is\s+|to\s+)?(?:now\s+)?([A-Z][\w'-]+)", request)
    first = re.search(r"\bfirst\s+name\s+(?:is\s+|to\s+)?(?:now\s+)?([A-Z][\w'-]+)", request)
    note = after_colon(request, r"\bnote\b") if re.search(r"\bnote\b", request, IC) else None
    return {"customer": slots.get("email") or slots.get("person"), "add_tags": tags if re.search(r"\btag", request, IC) else None,
            "last_name": last.group(1) if last else None, "first_name": first.group(1) if first else None, "note": note}


def _draft_order(request: str, slots: dict[str, str]) -> Args:
    lines = [{"sku": sku, "quantity": int(qty)} for qty, sku in
             re.findall(r"\b(\d+)\s*(?:x|×|units?\s+of|pcs\s+of|of)?\s*(?:[a-z][\w ]*?\s+)?\(?\b([A-Z]{2,}(?:-[A-Z0-9]+)+)\b", request)]
    lines += [{"sku": sku, "quantity": int(qty)} for sku, qty in
              re.findall(r"\b([A-Z]{2,}(?:-[A-Z0-9]+)+)\s*(?:x|×)\s*(\d+)\b", request)]
    return {"customer": slots.get("email") or slots.get("company"), "lines": lines or None,
            "voucher_code": slots.get("code") if re.search(r"\b(?:code|voucher|coupon)\b", request, IC) else None}


def _discount(request: str, slots: dict[str, str]) -> Args:
    percent = slots.get("percent")
    value = percent or slots.get("money")
    category = after(request, r"\b(?:on|for|across)\s+(?:the\s+|all\s+|everything\s+in\s+the\s+)?(?=[\w ]+\s+category\b)",
                     upto=r"(?=\s+category\b)")
    collection = after(request, r"\b(?:on|for|across|in)\s+(?:the\s+|all\s+|everything\s+in\s+the\s+)?(?=[\w ]+\s+collection\b)",
                       upto=r"(?=\s+collection\b)")
    name = quoted_all(request)[0] if quoted_all(request) else tidy(request)[:60]
    return {"name": name, "discount_type": "percentage" if percent else ("fixed" if value else None), "value": value,
            "categories": [category] if category else None, "collections": [collection] if collection else None,
            "starts_at": slots.get("datetime_from") or slots.get("now"), "ends_at": slots.get("datetime_to")}


def _page(request: str) -> str | None:
    return target(request, before=r"(?:page|article|post|listing)") or target(request)


def _page_update(request: str, slots: dict[str, str]) -> Args:
    seo_title = after_colon(request, r"\bseo\s+title\b")
    search = after_colon(request, r"\b(?:search|meta|seo)\s+description\b")
    slug = after(request, r"\bslug\b[^,:]*?\b(?:to|:|be)(?:\s+just)?", upto=r"(?=\s|$|,)")
    title = after(request, r"\b(?:retitle|rename)\b.+?\b(?:to|as)")
    body = None
    if not (seo_title or search or slug or title):
        body = after_colon(request, r"\b(?:should\s+(?:say|read)|body|text|copy)\b")
    page = target(request, before=r"(?:page|article|post|listing)", skip=[v for v in (seo_title, search, slug) if v])
    if page is None:
        page = target(request, skip=[v for v in (seo_title, search, slug) if v])
    return {"page": page, "seo_title": seo_title, "search_description": search, "slug": slug, "title": title,
            "body": body}


def _page_only(request: str, slots: dict[str, str]) -> Args:
    return {"page": _page(request)}


def _page_unpublish(request: str, slots: dict[str, str]) -> Args:
    return {"page": _page(request), "reason": reason(request)}




def _page_create(request: str, slots: dict[str, str]) -> Args:
    language = re.search(r"\b(" + "|".join(LANGUAGES) + r")\b", request, IC)
    title = after(request, r"\b(?:title(?:d)?(?:\s+it)?|called|named|headline)\b") or first_quoted(request)
    source = _page(request) if language else None
    kind = "blog" if re.search(r"\b(?:blog|post|article)\b", request, IC) else (
        "directory_listing" if re.search(r"\b(?:directory|listing)\b", request, IC) else
        "landing" if re.search(r"\b(?:landing|offer|promo|sign\s*up|signup|giveaway|campaign|deal|sale)\b", request, IC)
        else "service" if re.search(r"\bservices?\b", request, IC) else "landing")
    parent = {"blog": "/blog/", "directory_listing": "/directory/"}.get(kind, "/")
    return {"title": title or source or target(request), "translation_of": source,
            "locale": LANGUAGES[language.group(1).lower()] if language else None,
            "page_type": kind, "parent": parent}


def _lead_create(request: str, slots: dict[str, str]) -> Args:
    person = slots.get("person")
    first, _, last = (person or "").partition(" ")
    company = re.search(r"\b(?:from|at|of|with)\s+(?P<co>[A-Z][\w&'.-]*(?:\s+[A-Z][\w&'.-]*)*)", request)
    return {"first_name": first or None, "last_name": last or None, "email": slots.get("email"),
            "phone": slots.get("phone"), "company_name": company.group("co") if company else None}


RATINGS = {"hot": "HOT", "warm": "WARM", "cold": "COLD"}


def _lead_score(request: str, slots: dict[str, str]) -> Args:
    rating = re.search(r"\b(hot|warm|cold)\b", request, IC)
    score = re.search(r"(?<![\w.@-])(\d{1,3})(?![\w.%@-])", request)
    return {"lead": person_or_email(slots, request), "score": int(score.group(1)) if score else None,
            "rating": RATINGS[rating.group(1).lower()] if rating else None}


def _lead_assign(request: str, slots: dict[str, str]) -> Args:
    who = owner(request)
    lead = slots.get("email") or slots.get("person")
    if lead is None:
        lead = target(request, skip=[who or ""])
    return {"lead": lead, "owner": who}


# (words, field, value): closing or recycling a lead is its status; the pipeline steps are stages.
LEAD_CHANGES = (("lost|went\\s+with|chose|not\\s+interested|close\\s+(?:his|her|their|the)?\\s*lead|dead|disqualif", "status", "closed"),
                ("nurture|not\\s+ready|next\\s+year|recycle", "status", "recycled"),
                ("qualif(?:y|ied)|decision\\s+maker|budget\\s+(?:is\\s+)?(?:ok|confirmed|approved)", "stage", "Qualified"),
                ("proposal\\s+sent|sent\\s+(?:the|a|them\\s+a)\\s+proposal", "stage", "Proposal Sent"),
                ("contacted|spoke\\s+(?:to|with)|first\\s+call", "stage", "Contacted"))


def _lead_update(request: str, slots: dict[str, str]) -> Args:
    change = next(((field, value) for words, field, value in LEAD_CHANGES if re.search(r"\b(?:" + words + r")", request, IC)),
                  None)
    return {"lead": person_or_email(slots, request), **({change[0]: change[1]} if change else {}), "reason": reason(request)}


OPPORTUNITY_STAGES = ("Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost")


def _opportunity_update(request: str, slots: dict[str, str]) -> Args:
    stage = next((s for s in OPPORTUNITY_STAGES if re.search(r"\b" + s + r"\b", request, IC)), None)
    if stage is None and re.search(r"\blost\b", request, IC):
        stage = "Closed Lost"
    elif stage is None and re.search(r"\b(?:won|signed|closed\s+it|win)\b", request, IC):
        stage = "Closed Won"
    found = re.search(r"(?:^|\b(?:the|deal|opportunity)\s+)(?P<name>[A-Z][\w&'.-]*(?:\s+[A-Z][\w&'.-]*)*)", request)
    name = quoted_all(request)[0] if quoted_all(request) else (found.group("name") if found else target(request))
    probability = re.search(r"(\d{1,3})\s*%", request)
    return {"opportunity": name, "stage": stage, "close_date": slots.get("date") if re.search(r"\bclose", request, IC) else None,
            "amount": amount(request, slots), "probability": int(probability.group(1)) if probability else None,
            "lost_reason": reason(request) if stage == "Closed Lost" else None}


def _lead_convert(request: str, slots: dict[str, str]) -> Args:
    probability = re.search(r"(\d{1,3})\s*%", request)
    return {"lead": person_or_email(slots, request), "amount": amount(request, slots),
            "close_date": slots.get("date") if re.search(r"\bclos", request, IC) else None,
            "probability": int(probability.group(1)) if probability else None}


def _task_update(request: str, slots: dict[str, str]) -> Args:
    done = re.search(r"\b(?:done|finished|complete|completed|close|closed|tick)\b", request, IC)
    priority = re.search(r"\b(high|low|medium|urgent)\s+priority\b|\bpriority\s+(?:to\s+)?(high|low|medium)\b", request, IC)
    level = (priority.group(1) or priority.group(2)).lower() if priority else None
    return {"task": target(request), "status": "Completed" if done else None,
            "priority": ("High" if level in ("high", "urgent") else level.title()) if level else None,
            "owner": owner(request) if re.search(r"\b(?:reassign|assign|give|hand)\b", request, IC) else None,
            "due": slots.get("date") if re.search(r"\b(?:due|move|push|postpone|by)\b", request, IC) else None}


def _task_create(request: str, slots: dict[str, str]) -> Args:
    title = first_quoted(request) or after(request, r"\b(?:task|todo|to-do)\b[^:]*:", upto=r"(?=\s*(?:[,;]|\bdue\b|\bby\b|$))")
    priority = re.search(r"\b(high|low|urgent|medium)\b(?:\s+priority)?", request, IC)
    return {"title": title, "due": slots.get("date"), "owner": owner(request),
            "priority": ("High" if priority.group(1).lower() in ("high", "urgent") else priority.group(1).title()) if priority else None}


def _contact_upsert(request: str, slots: dict[str, str]) -> Args:
    person = slots.get("person")
    first, _, last = (person or "").partition(" ")
    account = re.search(r"\b(?:at|works\s+at|with|joined|of)\s+(?P<co>[A-Z][\w&'.-]*(?:\s+[A-Z][\w&'.-]*)*)", request)
    title = re.search(r",\s*(?P<t>(?:head|vp|director|ceo|cfo|cto|coo|cmo|founder|manager|owner)\b[^,@]*?)\s+(?:at|of)\b",
                      request, IC)
    return {"email": slots.get("email"), "first_name": first or None, "last_name": last or None,
            "account": account.group("co") if account else None, "title": title.group("t") if title else None,
            "phone": slots.get("phone"),
            "do_not_call": True if re.search(r"\b(?:do\s+not|don'?t|not\s+to)\s+(?:call|phone)\b", request, IC) else None}


def _account_upsert(request: str, slots: dict[str, str]) -> Args:
    employees = re.search(r"(\d[\d,]*)\s+(?:employees|staff|people)", request, IC)
    city = re.search(r"\b(?:based\s+in|located\s+in|in)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)", request)
    named = re.search(r"\baccount\s+(?:for\s+)?(?P<n>[A-Z][\w&'.-]*(?:\s+[A-Z][\w&'.-]*)*)", request)
    name = named.group("n") if named else target(request)
    return {"name": name, "website": slots.get("url") if re.search(r"\b(?:site|website|domain|url|\.\w{2,})", request, IC) else None,
            "employees": int(employees.group(1).replace(",", "")) if employees else None,
            "city": city.group(1) if city else None, "phone": slots.get("phone")}


def _merge(request: str, slots: dict[str, str]) -> Args:
    kind = "lead" if re.search(r"\blead", request, IC) else ("account" if re.search(r"\b(?:account|compan)", request, IC)
                                                           else "contact")
    found = emails(request)
    into = re.search(r"([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\s+into\s+([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", request)
    keep_named = re.search(r"\bkeep(?:ing)?\s+(?:the\s+)?([\w.+-]+@[\w-]+(?:\.[\w-]+)+)", request)
    if into:
        return {"kind": kind, "keep": into.group(2), "merge": [into.group(1)]}
    if len(found) >= 2:
        keep = keep_named.group(1) if keep_named else found[-1]
        return {"kind": kind, "keep": keep, "merge": [e for e in found if e != keep]}
    names = [n for _, n in capital_names(request)]
    if len(names) >= 2:
        keep = re.search(r"\b(?:into|keep(?:ing)?)\s+(?P<k>[A-Z][\w&'.-]*(?:\s+[A-Z][\w&'.-]*)*)", request)
        kept = keep.group("k") if keep else names[0]
        return {"kind": "account" if kind == "contact" else kind, "keep": kept, "merge": [n for n in names if n != kept][:1]}
    return {"kind": kind}


def _delete(request: str, slots: dict[str, str]) -> Args:
    kind = next((k for k in ("lead", "account", "opportunity") if re.search(r"\b" + k, request, IC)), "contact")
    return {"kind": kind, "record": slots.get("email") or slots.get("person") or target(request), "reason": reason(request)}


def _note(request: str, slots: dict[str, str]) -> Args:
    body = after(request, r"\bnotes?\b[^:]*:", upto=r"$") or request.strip()
    related = (f"lead:{slots['email']}" if slots.get("email") else f"account:{slots['company']}" if slots.get("company")
               else f"contact:{slots['person']}" if slots.get("person") else None)
    return {"related_to": related, "body": body}


def _reminder_create(request: str, slots: dict[str, str]) -> Args:
    text = after(request, r"\b(?:to|about|that)\b", upto=r"(?=\s*(?:[,;.!?]|\b(?:at|on|every|each|tomorrow|tonight|today|in)\b|$))")
    recipient = re.search(r"\b(?:remind|message|ping|text)\s+(mom|dad|grandma|grandpa|[A-Z][a-z]+)\b", request, IC)
    who = recipient.group(1) if recipient and recipient.group(1).lower() not in ("me", "us", "everyone") else None
    medication = re.search(r"\b(?:mg|pill|tablet|meds?|medication|medicine|insulin|dose)\b", request, IC)
    return {"text": text or request.strip(), "at": slots.get("datetime"), "recurrence": slots.get("rrule"),
            "until": slots.get("until"), "recipient": who, "category": "medication" if medication else None}


def _reminder_cancel(request: str, slots: dict[str, str]) -> Args:
    scope = "next" if re.search(r"\b(?:just|only|skip|this\s+one|next\s+one)\b", request, IC) else "series"
    name = first_quoted(request) or after(request, r"\b(?:the|my)\b", upto=r"(?=\s+reminder\b)")
    return {"reminder": name, "scope": scope}


def _award(request: str, slots: dict[str, str]) -> Args:
    badge = first_quoted(request) or after(request, r"\b(?:the|a)\b", upto=r"(?=\s+(?:badge|achievement|award)\b)")
    subject = target(request, skip=[badge or ""])
    return {"subject": subject, "achievement": badge}


def _visibility(request: str, slots: dict[str, str]) -> Args:
    visibility = ("anonymous" if re.search(r"\banonym", request, IC) else "hidden" if re.search(
        r"\b(?:hide|hidden|remove|off|not\s+(?:be\s+)?(?:shown|listed|appear))", request, IC) else
        "public" if re.search(r"\b(?:public|show|shown|visible|name)\b", request, IC) else None)
    return {"subject": target(request), "visibility": visibility}


def _portfolio(request: str, slots: dict[str, str]) -> Args:
    subject = target(request)
    return {"subject": subject, "title": f"{subject}: case study" if subject else None, "summary": request.strip()}


MEMORY_KINDS = (("medication|meds|mg\\b|pill|dose", "medication"), ("brief|campaign", "campaign_brief"),
                ("supplier|moq|minimum order|lead time", "supplier_note"), ("brand voice|tone", "brand_voice"),
                ("expense|spent|receipt", "expense"), ("blood|sugar|bp\\b|weight|symptom", "health_log"),
                ("keyword", "keyword_plan"), ("a/b|variant won|test result", "test_result"),
                ("icp|ideal customer", "icp"), ("policy|rule", "policy"), ("decided|decision", "decision"))


def _memory(request: str, slots: dict[str, str]) -> Args:
    kind = next((k for words, k in MEMORY_KINDS if re.search(r"\b(?:" + words + ")", request, IC)), "fact")
    return {"text": request.strip(), "kind": kind}


def _broadcast(request: str, slots: dict[str, str]) -> Args:
    audience = "opted_in_customers" if re.search(r"\b(?:customer|subscriber|opted|shopper)", request, IC) else "team"
    return {"audience": audience, "text": after_colon(request, r"\b(?:know|tell|say|message|broadcast|announce)\b") or request.strip()}


INTENTS: tuple[Intent, ...] = (
    Intent("saleor.order_cancel", CUES["saleor.order_cancel"].cue, _order_cancel, unless=CUES["saleor.order_cancel"].unless),
    Intent("saleor.order_refund", CUES["saleor.order_refund"].cue, _order_refund),
    Intent("saleor.order_fulfill", CUES["saleor.order_fulfill"].cue,
           _order_fulfill),
    Intent("saleor.draft_order_create", CUES["saleor.draft_order_create"].cue,
           _draft_order),
    Intent("saleor.product_create", CUES["saleor.product_create"].cue, _product_create,
           beats=("saleor.product_update", "saleor.variant_upsert", "saleor.product_publish", "saleor.product_unpublish")),
    Intent("saleor.product_unpublish", CUES["saleor.product_unpublish"].cue, _product_toggle,
           beats=("saleor.product_update",), each="product"),
    Intent("saleor.product_publish", CUES["saleor.product_publish"].cue,
           _product_toggle, unless=CUES["saleor.product_publish"].unless, each="product"),
    Intent("saleor.variant_upsert", CUES["saleor.variant_upsert"].cue, _variant, needs=("price", "cost_price", "weight_kg", "product"),
           beats=("saleor.product_update",)),
    Intent("saleor.product_update", CUES["saleor.product_update"].cue, _product_update, needs=("price", "name", "seo_title", "slug", "seo_description", "description", "category")),
    Intent("saleor.voucher_deactivate", CUES["saleor.voucher_deactivate"].cue,
           _voucher_off),
    Intent("saleor.customer_update", CUES["saleor.customer_update"].cue, _customer_update, needs=("add_tags", "last_name", "first_name", "note")),
    Intent("saleor.discount_create", CUES["saleor.discount_create"].cue, _discount),
    Intent("wagtail.page_unpublish", CUES["wagtail.page_unpublish"].cue, _page_unpublish, each="page"),
    Intent("wagtail.page_publish", CUES["wagtail.page_publish"].cue, _page_only,
           unless=CUES["wagtail.page_publish"].unless, each="page"),
    Intent("wagtail.page_create_draft", CUES["wagtail.page_create_draft"].cue, _page_create),
    Intent("wagtail.page_update", CUES["wagtail.page_update"].cue, _page_update, needs=("seo_title", "search_description", "slug", "title", "body")),
    Intent("crm.lead_create", CUES["crm.lead_create"].cue, _lead_create),
    Intent("crm.lead_score_update", CUES["crm.lead_score_update"].cue,
           _lead_score),
    Intent("crm.lead_assign", CUES["crm.lead_assign"].cue,
           _lead_assign),
    Intent("crm.lead_update", CUES["crm.lead_update"].cue, _lead_update, needs=("stage", "status")),
    Intent("crm.lead_convert", CUES["crm.lead_convert"].cue, _lead_convert),
    Intent("crm.opportunity_update", CUES["crm.opportunity_update"].cue, _opportunity_update, needs=("stage", "close_date", "amount", "probability")),
    Intent("crm.task_update", CUES["crm.task_update"].cue,
           _task_update, needs=("status", "owner", "due", "priority")),
    Intent("crm.task_create", CUES["crm.task_create"].cue, _task_create),
    Intent("crm.contact_upsert", CUES["crm.contact_upsert"].cue, _contact_upsert),
    Intent("crm.account_upsert", CUES["crm.account_upsert"].cue, _account_upsert),
    Intent("crm.record_merge", CUES["crm.record_merge"].cue, _merge),
    Intent("crm.record_delete", CUES["crm.record_delete"].cue,
           _delete),
    Intent("crm.note_add", CUES["crm.note_add"].cue, _note),
    Intent("scheduler.reminder_cancel", CUES["scheduler.reminder_cancel"].cue, _reminder_cancel),
    Intent("scheduler.reminder_create", CUES["scheduler.reminder_create"].cue,
           _reminder_create),
    Intent("gamification.achievement_award", CUES["gamification.achievement_award"].cue, _award),
    Intent("gamification.leaderboard_visibility_set", CUES["gamification.leaderboard_visibility_set"].cue, _visibility),
    Intent("gamification.portfolio_entry_create", CUES["gamification.portfolio_entry_create"].cue, _portfolio),
    Intent("memory.write", CUES["memory.write"].cue, _memory),
    Intent("telegram.message_broadcast", CUES["telegram.message_broadcast"].cue, _broadcast),
)
BY_TOOL = {intent.tool: intent for intent in INTENTS}


def plan_intents(request: str, slots: dict[str, str], tools: Iterable[str]) -> list[tuple[str, Args]]:
    """(tool, args) of every intent of these tools the request asks for, in the order its words come."""
    allowed = set(tools)
    found = [(pos, intent) for intent in INTENTS if intent.tool in allowed
             and (pos := intent.position(request)) is not None]
    beaten = {tool for _, intent in found for tool in intent.beats}
    calls: list[tuple[str, Args]] = []
    if QUESTION.search(request):
        return []
    chosen = sorted((f for f in found if f[1].tool not in beaten), key=lambda f: f[0])
    for index, (_, intent) in enumerate(chosen):
        args = drop_none(intent.read(request, slots))
        if len(chosen) > 1:
            # "refund order 3038 and cancel order 3039": each call reads its own part first.
            part = clause(request, chosen[index][0], [p for p, _ in chosen])
            own = drop_none(intent.read(part, builtin_slots(part, now=_slot_now(slots))))
            args = {**args, **own}
        if intent.needs and not any(name in args for name in intent.needs):
            continue
        names = listed_after(request, intent.cue) if intent.each else []
        if intent.each and len(names) > 1:
            calls.extend((intent.tool, {**args, intent.each: name}) for name in names)
        else:
            calls.append((intent.tool, args))
    return calls


_LIST_END = re.compile(r"\s*(?:[;.!?]|,\s*(?!and\b)(?-i:(?=[a-z]))|\s-\s|\b(?:because|since|as|from|on|in|off|out|for|to)\b|$)", IC)


def split_names(value: str) -> list[str]:
    """The items of a list written in words: "A, B and C", "A and the B"; "Salt and Pepper Set" stays one."""
    if "," in value:
        items = [v.strip() for v in value.split(",")]
        items = items[:-1] + re.split(r"\s+and\s+(?:the\s+)?", re.sub(r"^and\s+", "", items[-1]))
    else:
        items = re.split(r"\s+and\s+the\s+", value, flags=IC)
    items = [re.sub(r"^(?:and\s+)?(?:the|a|an|our|my)\s+", "", item, flags=IC).strip() for item in items]
    return [item for item in items if item] or [value]


def listed_after(request: str, cue: re.Pattern[str]) -> list[str]:
    """Names listed right after a request's words, each capitalised: "unpublish the Felt Hat and the
    Rain Cape" -> [Felt Hat, Rain Cape]; anything else (one name, lowercase words) -> []."""
    found = cue.search(request)
    if not found:
        return []
    rest = request[found.end():]
    end = _LIST_END.search(rest)
    segment = rest[:end.start()] if end else rest
    items = [re.sub(r"\s+(?:pages?|posts?|products?|listings?)$", "", item, flags=IC) for item in split_names(segment.strip())]
    items = [item for item in items if item]
    if len(items) < 2 or not all(re.match(r"[A-Z0-9]", item) for item in items):
        return []
    return [tidy(item) for item in items]


_JOIN = re.compile(r"\s*(?:[;]|,?\s+(?:and\s+then|then|and\s+also|also|plus)\s+|,?\s+and\s+(?=\w+\s))", IC)


def clause(request: str, position: int, starts: list[int]) -> str:
    """The part of a request that belongs to the cue at `position`: from the join before it (or the start)
    up to the next cue's join (or the end)."""
    later = [s for s in starts if s > position]
    end = later[0] if later else len(request)
    joins = [m for m in _JOIN.finditer(request) if m.end() <= end]
    stop = next((m.start() for m in joins if m.start() > position), end)
    begin = max((m.end() for m in joins if m.end() <= position), default=0)
    return request[begin:stop]


def _slot_now(slots: dict[str, str]) -> datetime | None:
    return datetime.fromisoformat(slots["now"]) if slots.get("now") else None


