"""The platform's convenience routes: each opens a task for its agent with a plain-language request."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.api.conftest import Auth, error_of, settle

ROUTES = [
    ("/leads/capture", {"name": "Maria Lopez", "title": "marketing head", "company": "Casa Verde",
                        "email": "maria@casaverde.mx", "source": "expo"},
     "lead_capture", "Add a lead: Maria Lopez, marketing head at Casa Verde, maria@casaverde.mx, source: expo"),
    ("/leads/score", {"leads": "last week's leads"}, "lead_scoring", "Score last week's leads"),
    ("/leads/assign", {"leads": "all unassigned leads from Texas", "to": "Jake"}, "lead_assignment",
     "Assign all unassigned leads from Texas to Jake"),
    ("/products", {"name": "Linen Apron", "price": 24, "category": "Kitchen"}, "product_catalog_manager",
     "add a product called Linen Apron priced 24 USD to the store in the Kitchen category"),
    ("/products/Blue Vase/price", {"price": 19.5}, "product_catalog_manager", "change the price of the Blue Vase to 19.5"),
    ("/campaigns/plan", {"goal": "400 orders", "product": "the Black Friday sale", "weeks": 4, "budget": 5000,
                         "channels": ["email", "Meta"]}, "campaign_planner",
     "Plan a 4-week campaign for the Black Friday sale with a $5000 budget: goal 400 orders, channels email + Meta"),
    ("/campaigns/brief", {"name": "Spring Sale", "goal": "400 orders", "audience": "past buyers", "offer": "15% off",
                          "channels": ["email", "Meta"], "budget": 2500}, "campaign_planner",
     "Save the Spring Sale brief: goal 400 orders, audience past buyers, 15% off, email + Meta, budget $2500"),
    ("/content/blog-post", {"topic": "local SEO for cafes", "words": 1200}, "blog_post_writer",
     "Write a blog post on local SEO for cafes, 1200 words, save as draft"),
    ("/content/publish", {"page": "launch post"}, "page_publisher", "Publish the launch post"),
]


async def test_each_route_opens_a_task_for_its_agent(app: FastAPI, client: httpx.AsyncClient, auth: Auth) -> None:
    ids = {}
    for path, body, agent, request in ROUTES:
        response = await client.post(path, json=body, headers=auth())
        assert response.status_code == 202, (path, response.text)
        task = response.json()
        assert (task["agent_hint"], task["request"]) == (agent, request), path
        ids[path] = task["id"]
    await settle(app)
    for path, task_id in ids.items():
        task = (await client.get(f"/tasks/{task_id}", headers=auth())).json()
        assert task["status"] in ("done", "waiting") and task["agent"] == task["agent_hint"], (path, task)

    product = (await client.get(f"/tasks/{ids['/products']}", headers=auth())).json()
    [call] = product["approval"]["calls"]
    assert call["tool"] == "saleor.product_create"
    assert (call["args"]["name"], call["args"]["price"], call["args"]["category"]) == ("Linen Apron", 24.0, "Kitchen")
    price = (await client.get(f"/tasks/{ids['/products/Blue Vase/price']}", headers=auth())).json()
    assert price["approval"]["calls"][0]["args"] == {"product": "Blue Vase", "price": 19.5}


async def test_convenience_routes_check_their_input_and_keys(app: FastAPI, client: httpx.AsyncClient, auth: Auth) -> None:
    cases = [
        ("/products", {"name": "Mug", "price": -3}, "price"),
        ("/products", {"name": "Mug"}, "price"),
        ("/products", {"name": "Mug", "price": "cheap"}, "price"),  # money is a number (cents kept)
        ("/campaigns/plan", {"goal": "sales", "weeks": 0}, "weeks"),
        ("/leads/assign", {"leads": "all"}, "to"),
        ("/content/publish", {"page": ""}, "page"),
    ]
    for path, body, field in cases:
        response = await client.post(path, json=body, headers=auth())
        assert response.status_code == 422 and error_of(response)["field"] == field, (path, response.text)
    viewer = await client.post("/content/publish", json={"page": "launch post"}, headers=auth("viewer"))
    assert viewer.status_code == 403

    key = {**auth(), "Idempotency-Key": "publish-launch"}
    first = await client.post("/content/publish", json={"page": "launch post"}, headers=key)
    second = await client.post("/content/publish", json={"page": "launch post"}, headers=key)
    assert (first.status_code, second.status_code) == (202, 200) and first.json()["id"] == second.json()["id"]
    await settle(app)
