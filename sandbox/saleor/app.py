"""The ASGI app: POST /graphql/ executed by graphql-core against Saleor's real schema."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from graphql import ExecutionResult, GraphQLSchema, build_schema, graphql_sync

from sandbox.saleor.auth_mutations import AuthMutations
from sandbox.saleor.bulk_mutations import BulkMutations
from sandbox.saleor.collection_mutations import CollectionMutations
from sandbox.saleor.context import RequestContext, SandboxSettings
from sandbox.saleor.order_mutations import OrderMutations
from sandbox.saleor.product_mutations import ProductMutations
from sandbox.saleor.queries import QueryResolvers
from sandbox.saleor.refund_mutations import RefundMutations
from sandbox.saleor.shop_mutations import ShopMutations
from sandbox.saleor.shop_queries import ShopQueries
from sandbox.saleor.store import SaleorStore

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

GRAPHQL_PATHS = ("/graphql/", "/graphql")


@functools.lru_cache(maxsize=4)
def _schema_for(path: str, mtime_ns: int) -> GraphQLSchema:
    return build_schema(Path(path).read_text(encoding="utf-8"))


def load_schema(schema_path: Path) -> GraphQLSchema:
    """Saleor's schema, built once per process (and again only if the file changes)."""
    resolved = Path(schema_path).resolve()
    return _schema_for(str(resolved), resolved.stat().st_mtime_ns)


class SandboxRoot(
    QueryResolvers,
    ShopQueries,
    AuthMutations,
    ProductMutations,
    BulkMutations,
    CollectionMutations,
    OrderMutations,
    RefundMutations,
    ShopMutations,
):
    """root_value: graphql-core's default resolver calls `root.<field>(info, **args)`."""


def execute_request(
    store: SaleorStore,
    schema: GraphQLSchema,
    settings: SandboxSettings,
    body: dict[str, Any],
    authorization: str | None,
) -> ExecutionResult:
    """Run one GraphQL request inside a store transaction (the file lock, when persisted)."""
    variables = body.get("variables")
    with store.transaction() as catalog:
        context = RequestContext.from_header(catalog, settings, authorization)
        return graphql_sync(
            schema,
            body["query"],
            root_value=SandboxRoot(),
            context_value=context,
            variable_values=variables if isinstance(variables, dict) else None,
            operation_name=body.get("operationName"),
        )


async def _respond(send: Send, status: int, payload: dict[str, Any]) -> None:
    data = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _error(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message}]}


def create_app(
    store: SaleorStore,
    *,
    schema_path: Path,
    staff_email: str = "staff@example.com",
    staff_password: str = "sandbox",
    app_token: str | None = "sandbox-app-token",
    access_ttl: float = 300.0,
) -> ASGIApp:
    """An ASGI app serving Saleor's GraphQL API at /graphql/ over `store`.

    Requests other than tokenCreate/tokenRefresh need `Authorization: Bearer` with a token
    from tokenCreate (staff_email/staff_password) or `app_token`.
    """
    schema = load_schema(schema_path)
    settings = SandboxSettings(
        staff_email=staff_email, staff_password=staff_password, app_token=app_token, access_ttl=access_ttl
    )

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if scope["path"] not in GRAPHQL_PATHS:
            await _respond(send, 404, _error(f"Not found: {scope['path']}; the API is at /graphql/"))
            return
        if scope["method"] != "POST":
            await _respond(send, 405, _error("Send GraphQL requests as POST with a JSON body."))
            return
        raw = await _read_body(receive)
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            await _respond(send, 400, _error("Unable to parse query."))
            return
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            await _respond(send, 400, _error("Must provide a query string."))
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        result = await asyncio.to_thread(
            execute_request, store, schema, settings, body, headers.get("authorization")
        )
        payload = dict(result.formatted)
        # Saleor answers 400 when the document itself is invalid (no data at all), else 200.
        status = 400 if result.data is None and result.errors else 200
        await _respond(send, status, payload)

    return app
