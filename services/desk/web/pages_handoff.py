"""The live-chat console (在线咨询) and the desk's heartbeat.

Every desk page of a clerk or supervisor posts `/desk/presence` every 10 s (that is what "online" means for
the action server); the console polls `/desk/handoff/state.json` for waiting requests and, for the open
chat, `/desk/handoff/<id>/lines.json?after=<event index>` every ~2 s, which reads Rasa's tracker.
"""

from __future__ import annotations

from flask import g, jsonify, render_template, request

from ..domain.access import AccessDenied
from ..domain.validation import InvalidInput, text_field
from ..service.handoff_book import LIVE_ROLES
from ..service.wiring import canned_for
from .base import desk, wiring
from .formatting import CHANNEL_LABELS

MAX_LINE = 1000


def _live_only() -> None:
    if g.actor.role not in LIVE_ROLES:
        raise AccessDenied("在线咨询由接线员和督查接待")


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("body", "请求内容应为 JSON 对象")
    return data


@desk.post("/presence")
def presence():
    given = _json_body().get("available")
    available = given if isinstance(given, bool) else None
    return jsonify(wiring().handoffs.heartbeat(g.actor, available))


@desk.get("/handoff")
def handoff_console():
    _live_only()
    return render_template(
        "handoff.html",
        canned=canned_for(wiring().canned, g.actor.role),
        available=wiring().handoffs.book.availability(g.actor),
    )


@desk.get("/handoff/state.json")
def handoff_state():
    _live_only()
    service = wiring().handoffs
    listing = service.book.listing(g.actor, service.clock())
    for item in listing["waiting"] + listing["mine"]:
        item["channel_label"] = CHANNEL_LABELS.get(item["channel"], item["channel"])
    status = service.status()
    return jsonify(
        {
            **listing,
            "clerks_online": status["clerks_online"],
            "waiting_count": status["waiting"],
            "wait_seconds": status["wait_seconds"],
        }
    )


@desk.post("/handoff/<int:handoff_id>/take")
def handoff_take(handoff_id: int):
    _live_only()
    view = wiring().handoffs.take(g.actor, handoff_id)
    return jsonify({"id": view["id"], "number": view["number"]})


@desk.get("/handoff/<int:handoff_id>/lines.json")
def handoff_lines(handoff_id: int):
    _live_only()
    try:
        after = int(request.args.get("after", -1))
    except ValueError:
        after = -1
    return jsonify(wiring().handoffs.lines(g.actor, handoff_id, after))


@desk.post("/handoff/<int:handoff_id>/send")
def handoff_send(handoff_id: int):
    _live_only()
    text = text_field(_json_body(), "text", "消息", MAX_LINE)
    return jsonify(wiring().handoffs.send(g.actor, handoff_id, text))


@desk.post("/handoff/<int:handoff_id>/release")
def handoff_release(handoff_id: int):
    _live_only()
    wiring().handoffs.release(g.actor, handoff_id)
    return jsonify({"status": "已转回"})


@desk.post("/handoff/<int:handoff_id>/close")
def handoff_close(handoff_id: int):
    _live_only()
    answer = text_field(_json_body(), "answer", "答复摘要", 4000, required=False)
    wiring().handoffs.close(g.actor, handoff_id, answer)
    return jsonify({"status": "已结束"})
