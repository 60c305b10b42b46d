"""The transcript as the work-order page shows it: the order's own turns first, clicks as words.

A transcript stored by the action server holds the order's own turns already; one saved after a live chat
holds the whole conversation, so a clerk would scroll through an earlier, unrelated lookup to reach the
request. The page therefore shows the turns from shortly before the order was opened
(`LEAD_MINUTES`, the time a work-order form takes) and folds the earlier ones away. A click stored as its
payload (`/affirm`, or `（点击按钮 affirm）` from before titles were kept) is shown as what it means.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from kernel.transcript import button_text

LEAD_MINUTES = 10
SENDER_LABELS = {"user": "群众", "bot": "智能助手", "staff": "工作人员"}


def _moment(value: Any) -> datetime | None:
    """A turn's `at` as naive UTC (how the desk stores times), or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def readable(turn: dict[str, Any]) -> dict[str, Any]:
    """One turn with a click shown as words and the sender named in Chinese."""
    sender = str(turn.get("sender") or "user")
    text = str(turn.get("text") or "")
    return {
        **turn,
        "sender": sender,
        "who": SENDER_LABELS.get(sender, sender),
        "text": button_text(text) if sender == "user" else text,
    }


def split_turns(turns: list[dict[str, Any]], created_at: datetime) -> tuple[list[dict], list[dict]]:
    """(earlier turns, the order's own turns): a turn is earlier when its time is known and more than
    LEAD_MINUTES before the order was opened; turns without a time are the order's own."""
    start = created_at - timedelta(minutes=LEAD_MINUTES)
    earlier: list[dict] = []
    own: list[dict] = []
    for turn in (readable(t) for t in turns or []):
        moment = _moment(turn.get("at"))
        (earlier if moment is not None and moment < start and not own else own).append(turn)
    return earlier, own
