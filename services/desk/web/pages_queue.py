"""The queue: filters and search, the 即将到期 view, and the small JSON the open page polls for new orders."""

from __future__ import annotations

from datetime import date

from flask import current_app, g, jsonify, render_template, request

from ..db.queries import OrderFilter
from ..domain import lifecycle as lc
from ..domain.clock import iso_local
from ..domain.terms import CHANNELS, KINDS
from .base import desk, now_local, store, wiring

PER_PAGE = 30
NEW_ITEM_FIELDS = ("number", "kind", "channel", "status", "created_at")

# ------------------------------------------------------------------------------------------ queue


def _choice(name: str, choices: tuple[str, ...]) -> str | None:
    value = request.args.get(name) or None
    return value if value in choices else None


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _queue_filter() -> OrderFilter:
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    return OrderFilter(
        status=_choice("status", lc.STATUSES),
        kind=_choice("kind", KINDS),
        channel=_choice("channel", CHANNELS),
        overdue=request.args.get("overdue") == "1",
        due_soon=request.args.get("due_soon") == "1",
        mine=request.args.get("mine") == "1",
        open_only=request.args.get("open") == "1",
        search=(request.args.get("q") or "").strip()[:64] or None,
        created_from=_date_arg("from"),
        created_to=_date_arg("to"),
        sort="due" if request.args.get("sort") == "due" else "created",
        page=page,
        per_page=PER_PAGE,
    )


@desk.get("/")
def queue():
    flt = _queue_filter()
    result = store().list_orders(g.actor, flt, wiring().clock())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    pages = max(1, -(-result["total"] // PER_PAGE))
    return render_template(
        "queue.html",
        result=result,
        flt=flt,
        args=args,
        pages=pages,
        now=now_local(),
        statuses=lc.STATUSES,
        kinds=KINDS,
        channels=CHANNELS,
        poll_seconds=current_app.config["DESK_SETTINGS"].queue_poll_seconds,
        due_by=_local_iso(store().due_soon_by(wiring().clock())) if flt.due_soon else None,
    )


def _local_iso(moment) -> str | None:
    return iso_local(moment, current_app.config["DESK_SETTINGS"].timezone)


@desk.get("/queue/updates.json")
def queue_updates():
    """New orders since the page's cursor (`after`; none: just the cursor), for sound and notification."""
    raw = request.args.get("after", "")
    after = int(raw) if raw.isdigit() else None
    result = store().queue_updates(g.actor, after, wiring().clock())
    items = [{k: o[k] for k in NEW_ITEM_FIELDS} | {"summary": o["summary"][:40]} for o in result["new"]]
    return jsonify({"cursor": result["cursor"], "new": items})
