"""WagtailClient: the async client behind the `wagtail.*` tools."""

from __future__ import annotations

from adapters.wagtail.media import MediaOps
from adapters.wagtail.page_writes import PageWrites


class WagtailClient(PageWrites, MediaOps):
    """Async client for one Wagtail 8 site (its root URL).

    Reads pages through API v2 (`/api/v2/pages/`, public, live pages only) and, for drafts,
    through the authenticated API v3 preview; writes through API v3 (`POST /api/v3/pages/`,
    `PATCH /api/v3/pages/{id}/`, `/actions/publish/`, `/actions/unpublish/`,
    `PATCH /api/v3/images/{id}/`) with `Authorization: Bearer <token>`. Pages are named by ID,
    URL path, slug or title. `page_types` maps tool page_type names to page models
    (defaults: `DEFAULT_PAGE_TYPES`), `body_fields` names each model's main rich-text field
    (default `body`), and models in `plain_body_models` take the body as a plain string rather
    than Markdown in the rich-text input envelope. Every method returns JSON-able values and
    raises `adapters.errors` types with system "wagtail".
    """


__all__ = ["WagtailClient"]
