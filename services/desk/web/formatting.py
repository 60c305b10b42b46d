"""Jinja filters and labels of the desk pages: local times, SLA clocks, channel names."""

from __future__ import annotations

from datetime import datetime

from ..domain import lifecycle as lc

CHANNEL_LABELS = {"web": "网页", "wechat": "微信", "rest": "REST接口"}
ROUTE_LABELS = {"judge": "承办法官", "supervision": "督查室", "pool": "接线员池"}
SOON_SECONDS = 4 * 3600


def short_time(iso: str | None) -> str:
    """'2026-11-28T15:20:00+08:00' → '11-28 15:20' (the court's local time, as stored in the view)."""
    if not iso:
        return "—"
    moment = datetime.fromisoformat(iso)
    return f"{moment:%m-%d %H:%M}"


def full_time(iso: str | None) -> str:
    if not iso:
        return "—"
    return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M}"


def duration(seconds: float) -> str:
    """A span in words staff read at a glance: 2天3小时, 3小时20分, 15分."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{mins}分"
    return f"{mins}分"


def sla(view: dict, now: datetime) -> dict:
    """The clock that matters now: first contact until it happened, then the answer.

    Returns {label, text, state (ok|soon|late|done), due (ISO or None)}; the page's script re-renders
    the text every half minute from `due`.
    """
    if view["status"] == lc.CLOSED:
        return {"label": "", "text": "已办结", "state": "done", "due": None}
    if not view.get("first_contact_at"):
        label, due = "首次联系", view["first_contact_due"]
    elif not view.get("answered_at"):
        label, due = "答复", view["answer_due"]
    else:
        return {"label": "", "text": "已答复", "state": "done", "due": None}
    left = (datetime.fromisoformat(due) - now).total_seconds()
    if left < 0:
        return {"label": label, "text": f"{label}已超期{duration(left)}", "state": "late", "due": due}
    state = "soon" if left < SOON_SECONDS else "ok"
    return {"label": label, "text": f"{label}剩余{duration(left)}", "state": state, "due": due}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None, suffix: str = "") -> str:
    return "—" if value is None else f"{value:g}{suffix}"


def wait(seconds: float | None) -> str:
    """A handoff wait: '45秒', '2分05秒' (seconds count here: a citizen is watching the screen)."""
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}分{secs:02d}秒" if minutes else f"{secs}秒"


def hours(value: float | None) -> str:
    """A median wait: minutes under an hour, else hours with one decimal."""
    if value is None:
        return "—"
    if value < 1:
        return f"{round(value * 60)}分钟"
    return f"{value:.1f}小时"
