"""Convenience routes of the platform: each builds a plain-language request for one agent and
opens a task with that agent as the hint, exactly like `POST /tasks` (202, then follow its events).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, JsonValue, WithJsonSchema

from api.deps import PREFIX, BrainDep, Caller, State
from api.errors import ERROR_RESPONSES, ErrorBody
from api.models import PlainText, Task
from api.tasks import IdempotencyHeader, open_task

router = APIRouter(prefix=PREFIX, responses={
    **ERROR_RESPONSES, 200: {"model": Task, "description": "the idempotency key was used before"},
    409: {"model": ErrorBody, "description": "the idempotency key was used for another request, or the body and "
                                            "the Idempotency-Key header name different keys"}})

Handler = TypeVar("Handler", bound=Callable[..., Any])
Name = Annotated[PlainText, Field(min_length=1, max_length=200)]
Words = Annotated[PlainText, Field(min_length=1, max_length=1000)]
CENT = Decimal("0.01")


def _cents(value: Any) -> Decimal:
    """A JSON number in dollars, rounded half up to whole cents (a string or a boolean is refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or (
            isinstance(value, float) and not math.isfinite(value)):
        raise ValueError("must be a number of dollars, such as 12 or 12.5")
    number = Decimal(str(value))
    if abs(number) >= 10**12:  # past the limit (which refuses it) and past what quantize can hold
        return number
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


# The schema says what the server takes: a number from 0.01 to 10^9, rounded to cents.
Money = Annotated[Decimal, BeforeValidator(_cents), Field(ge=CENT, le=1_000_000_000),
                  WithJsonSchema({"type": "number", "minimum": 0.01, "maximum": 1_000_000_000})]


def _strict(*examples: dict[str, JsonValue]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list[JsonValue](examples)})


def _join(*parts: str | None, sep: str = ", ") -> str:
    return sep.join(p for p in parts if p)


def _money(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _route(path: str, tag: str, summary: str, description: str) -> Callable[[Handler], Handler]:
    return router.post(path, status_code=202, response_model=Task, tags=[tag], summary=summary, description=description)


class LeadCapture(BaseModel):
    model_config = _strict({"name": "Jo Brennan", "title": "marketing head", "company": "Harbor Cafe",
                            "email": "jo@harborcafe.example", "source": "expo"})

    name: Name
    email: Name | None = None
    company: Name | None = None
    title: Name | None = None
    phone: Name | None = None
    source: Name | None = None
    notes: Words | None = None


@_route("/leads/capture", "leads", summary="Add a lead to the CRM (lead_capture agent)",
             description="Becomes `Add a lead: <name>, <title> at <company>, <email>, ...`; duplicates are skipped by the agent.")
async def capture_lead(body: LeadCapture, actor: Caller, state: State, brain: BrainDep, response: Response,
                       key: IdempotencyHeader = None) -> Task:
    who = _join(body.name, f"{body.title} at {body.company}" if body.title and body.company else body.title or body.company,
                body.email, f"phone {body.phone}" if body.phone else None, f"source: {body.source}" if body.source else None)
    text = f"Add a lead: {who}" + (f". {body.notes}" if body.notes else "")
    return await open_task(state, brain, actor, response, text, agent="lead_capture", key=key, via="leads")


class LeadScore(BaseModel):
    model_config = _strict({"leads": "last week's leads"}, {"leads": "the Sunrise Bakery lead", "context": "they booked a demo"})

    leads: Name = Field(default="all unscored leads", description="which leads, in words: a name, an email, a period")
    context: Words | None = Field(default=None, description="anything the score should take into account")


@_route("/leads/score", "leads", summary="Score leads HOT/WARM/COLD (lead_scoring agent)",
             description="Becomes `Score <leads>` (with the context after a colon).")
async def score_leads(body: LeadScore, actor: Caller, state: State, brain: BrainDep, response: Response,
                      key: IdempotencyHeader = None) -> Task:
    text = f"Score {body.leads}" + (f": {body.context}" if body.context else "")
    return await open_task(state, brain, actor, response, text, agent="lead_scoring", key=key, via="leads")


class LeadAssign(BaseModel):
    model_config = _strict({"leads": "all unassigned leads from Texas", "to": "Jake"})

    leads: Name = Field(description="which leads, in words")
    to: Name = Field(description="the sales rep, or a rule such as 'the rep with the lightest workload'")


@_route("/leads/assign", "leads", summary="Assign leads to a sales rep (lead_assignment agent)",
             description="Becomes `Assign <leads> to <to>`.")
async def assign_leads(body: LeadAssign, actor: Caller, state: State, brain: BrainDep, response: Response,
                       key: IdempotencyHeader = None) -> Task:
    return await open_task(state, brain, actor, response, f"Assign {body.leads} to {body.to}", agent="lead_assignment",
                           key=key, via="leads")


class ProductCreate(BaseModel):
    model_config = _strict({"name": "Red Mug", "price": 12}, {"name": "Cedar Tray", "price": 24, "category": "Kitchen"})

    name: Name
    price: Money = Field(description="in USD")
    category: Name | None = None
    description: Words | None = None


@_route("/products", "products", summary="Create a product (product_catalog_manager agent)",
             description="Becomes `add a product called <name> priced <price> USD to the store in the <category> "
                         "category`. Product changes ask a person by default: approve with `POST /approvals/{id}`.")
async def create_product(body: ProductCreate, actor: Caller, state: State, brain: BrainDep, response: Response,
                         key: IdempotencyHeader = None) -> Task:
    text = f"add a product called {body.name} priced {_money(body.price)} USD to the store"
    if body.category:
        text += f" in the {body.category} category"
    if body.description:
        text += f". Description: {body.description}"
    return await open_task(state, brain, actor, response, text, agent="product_catalog_manager", key=key, via="products")


class PriceChange(BaseModel):
    model_config = _strict({"price": 15})

    price: Money = Field(description="the new price in USD")


@_route("/products/{name}/price", "products", summary="Change one product's price (product_catalog_manager agent)",
             description="Becomes `change the price of the <name> to <price>`.")
async def change_price(name: Annotated[PlainText, Path(min_length=1, max_length=200)], body: PriceChange, actor: Caller,
                       state: State, brain: BrainDep, response: Response, key: IdempotencyHeader = None) -> Task:
    text = f"change the price of the {name} to {_money(body.price)}"
    return await open_task(state, brain, actor, response, text, agent="product_catalog_manager", key=key, via="products")


class CampaignPlan(BaseModel):
    model_config = _strict({"goal": "400 orders", "product": "the autumn sale", "weeks": 4, "budget": 5000})

    goal: Words
    product: Name | None = Field(default=None, description="what the campaign is for")
    weeks: int | None = Field(default=None, ge=1, le=52)
    budget: Money | None = Field(default=None, description="in USD")
    audience: Name | None = None
    channels: list[Name] = Field(default_factory=list, max_length=10)


@_route("/campaigns/plan", "campaigns", summary="Plan a campaign (campaign_planner agent)",
             description="Becomes `Plan a <weeks>-week campaign for <product> with a $<budget> budget: goal ...`.")
async def plan_campaign(body: CampaignPlan, actor: Caller, state: State, brain: BrainDep, response: Response,
                        key: IdempotencyHeader = None) -> Task:
    text = _join(
        "Plan a " + (f"{body.weeks}-week " if body.weeks else "") + "campaign"
        + (f" for {body.product}" if body.product else "")
        + (f" with a ${_money(body.budget)} budget" if body.budget else "") + f": goal {body.goal}",
        f"audience {body.audience}" if body.audience else None, f"channels {' + '.join(body.channels)}" if body.channels else None,
    )
    return await open_task(state, brain, actor, response, text, agent="campaign_planner", key=key, via="campaigns")


class CampaignBrief(BaseModel):
    model_config = _strict({"name": "Spring Sale", "goal": "400 orders", "audience": "past buyers", "offer": "15% off",
                            "channels": ["email", "Meta"], "budget": 2500})

    name: Name
    goal: Words
    audience: Name | None = None
    offer: Name | None = None
    channels: list[Name] = Field(default_factory=list, max_length=10)
    budget: Money | None = None


@_route("/campaigns/brief", "campaigns", summary="Save a campaign brief (campaign_planner agent)",
             description="Becomes `Save the <name> brief: goal ..., audience ..., <offer>, <channels>, budget $...`.")
async def save_brief(body: CampaignBrief, actor: Caller, state: State, brain: BrainDep, response: Response,
                     key: IdempotencyHeader = None) -> Task:
    text = f"Save the {body.name} brief: " + _join(
        f"goal {body.goal}", f"audience {body.audience}" if body.audience else None, body.offer,
        " + ".join(body.channels) if body.channels else None, f"budget ${_money(body.budget)}" if body.budget else None,
    )
    return await open_task(state, brain, actor, response, text, agent="campaign_planner", key=key, via="campaigns")


class BlogPost(BaseModel):
    model_config = _strict({"topic": "local SEO for cafes", "words": 1200})

    topic: Words
    words: int | None = Field(default=None, ge=100, le=5000)
    audience: Name | None = None


@_route("/content/blog-post", "content", summary="Write a blog post draft (blog_post_writer agent)",
             description="Becomes `Write a blog post on <topic>, <words> words, for <audience>, save as draft`.")
async def write_blog_post(body: BlogPost, actor: Caller, state: State, brain: BrainDep, response: Response,
                          key: IdempotencyHeader = None) -> Task:
    text = _join(f"Write a blog post on {body.topic}", f"{body.words} words" if body.words else None,
                 f"for {body.audience}" if body.audience else None, "save as draft")
    return await open_task(state, brain, actor, response, text, agent="blog_post_writer", key=key, via="content")


class Publish(BaseModel):
    model_config = _strict({"page": "launch post"})

    page: Name = Field(description="the page, in words: its title or what it is")


@_route("/content/publish", "content", summary="Publish a page (page_publisher agent)",
             description="Becomes `Publish the <page>`.")
async def publish(body: Publish, actor: Caller, state: State, brain: BrainDep, response: Response,
                  key: IdempotencyHeader = None) -> Task:
    return await open_task(state, brain, actor, response, f"Publish the {body.page}", agent="page_publisher", key=key,
                           via="content")
