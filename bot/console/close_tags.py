"""Close tags in the console: the JSON API under /api/queues/{queue}/close-tags and the admin forms.

Thin: checks the role, parses the request, calls `bot.actions.close_tags` (audited). Never
echoes a refused value back, and never lets anyone but an administrator define or retire tags.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.actions import close_tags as tag_actions
from bot.roles import Capability
from bot.service import SERVICE
from bot.store.tables import CloseTag

from .admin import _queues_page, admin_form, submit_form
from .api import json_body, text_field
from .auth import staff_of

routes = web.RouteTableDef()

BASE = "/api/queues/{queue}/close-tags"
FORMS = "/console/admin/queues/{queue}/close-tags"
TRUE = ("1", "true", "yes")


def tag_json(tag: CloseTag) -> dict[str, Any]:
    return {
        "id": tag.id,
        "queue": tag.queue_id,
        "label": tag.label,
        "position": tag.position,
        "retired": tag.retired_at is not None,
        "retired_at": tag.retired_at.isoformat() if tag.retired_at else None,
    }


# ---- JSON API ------------------------------------------------------------------------------


@routes.get(BASE)
async def list_tags(request: web.Request) -> web.Response:
    """The tags a counsellor may pick (`?include_retired=true`: retired ones too, marked)."""
    staff = staff_of(request)
    include_retired = request.query.get("include_retired", "").lower() in TRUE
    tags = await tag_actions.tags_for(
        request.app[SERVICE].core,
        staff,
        request.match_info["queue"],
        include_retired=include_retired,
    )
    return web.json_response([tag_json(tag) for tag in tags])


@routes.post(BASE)
async def save_tag(request: web.Request) -> web.Response:
    """Define a tag, or correct the label of an existing one (admins)."""
    staff = staff_of(request, Capability.ADMINISTER)
    body = await json_body(request)
    tag = await tag_actions.save_tag(
        request.app[SERVICE].core,
        staff.actor(),
        request.match_info["queue"],
        text_field(body, "id", limit=40),
        label=text_field(body, "label", limit=tag_actions.MAX_LABEL),
    )
    return web.json_response(tag_json(tag))


async def _retirement(request: web.Request, *, retired: bool) -> web.Response:
    staff = staff_of(request, Capability.ADMINISTER)
    change = tag_actions.retire if retired else tag_actions.reinstate
    tag = await change(
        request.app[SERVICE].core,
        staff.actor(),
        request.match_info["queue"],
        request.match_info["tag"],
    )
    return web.json_response(tag_json(tag))


@routes.post(BASE + "/{tag}/retire")
async def retire_tag(request: web.Request) -> web.Response:
    return await _retirement(request, retired=True)


@routes.post(BASE + "/{tag}/reinstate")
async def reinstate_tag(request: web.Request) -> web.Response:
    return await _retirement(request, retired=False)


# ---- admin forms (Queue settings page) -----------------------------------------------------


def _back(queue_id: str) -> str:
    return f"/console/admin/queues#close-tags-{queue_id}"


@routes.post(FORMS)
async def save_tag_form(request: web.Request) -> web.Response:
    form = await admin_form(request)
    queue_id = request.match_info["queue"]
    return await submit_form(
        request,
        tag_actions.save_tag(
            form.core,
            form.actor,
            queue_id,
            form.text("id", 40),
            label=form.text("label", tag_actions.MAX_LABEL + 1),
        ),
        _queues_page,
        _back(queue_id),
    )


async def _retirement_form(request: web.Request, *, retired: bool) -> web.Response:
    form = await admin_form(request)
    change = tag_actions.retire if retired else tag_actions.reinstate
    queue_id = request.match_info["queue"]
    return await submit_form(
        request,
        change(form.core, form.actor, queue_id, request.match_info["tag"]),
        _queues_page,
        _back(queue_id),
    )


@routes.post(FORMS + "/{tag}/retire")
async def retire_tag_form(request: web.Request) -> web.Response:
    return await _retirement_form(request, retired=True)


@routes.post(FORMS + "/{tag}/reinstate")
async def reinstate_tag_form(request: web.Request) -> web.Response:
    return await _retirement_form(request, retired=False)
