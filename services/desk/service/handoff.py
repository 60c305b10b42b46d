"""Live handoff (人工在线接入): a clerk chats with a citizen while the bot is paused.

1. The action server asks `GET /api/v1/handoff/status` whether a clerk is at the desk; if so, 转人工 posts
   `POST /api/v1/handoff` without a number (`open_live`: a 人工咨询 order is stored from what the bot knows, no
   name or phone yet, then queued), or with the number of an order the form opened; the answer tells the
   place in the queue and the expected wait; the action pauses the conversation (ConversationPaused).
2. The request waits on the desk's console; a clerk takes it (接入), reads the masked transcript from Rasa's
   tracker (polled every ~2 s) and types; lines go through the channel's push.
3. The clerk hands the conversation back to the bot (转回智能助手) or ends it (结束); both resume the bot.
4. If nobody takes it within HANDOFF_WAIT_SECONDS, the sweeper tells the citizen (push, else SMS) that the
   work order stays open and by when they will be called back (an order without a phone: answered in the
   chat, and “转人工” leaves a phone), and resumes the bot. A chat whose clerk's desk
   went silent for HANDOFF_ABANDON_SECONDS is handed back the same way; a resume that failed is retried.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from kernel.contracts import WorkOrderKind

from ..db.models import HANDOFF_ACTIVE, HANDOFF_CLOSED, HANDOFF_RETURNED, HANDOFF_TIMED_OUT
from ..domain import lifecycle as lc
from ..domain.access import AccessDenied, Actor
from ..domain.clock import utcnow
from ..domain.validation import NewWorkOrder
from ..settings import DeskSettings
from .delivery import Messenger, Sent, Target
from .handoff_book import HandoffBook, HandoffGone
from .orders import Conflict, DeskStore
from .rasa import RasaClient, RasaUnavailable

log = logging.getLogger(__name__)

GREETING = "您好，我是诉讼服务中心工作人员{name}，已为您接入人工服务，请问有什么可以帮您？"
RETURNED = "已转回智能助手，您可以继续提问。如需人工服务，随时发送“转人工”。"
CLOSED = "本次人工服务已结束，感谢您的咨询。已转回智能助手，如有其他问题可以继续提问。"
ABANDONED = "工作人员暂时离开，已为您转回智能助手。您的工单 {number} 仍在办理中。"
TIMED_OUT = (
    "目前工作人员都在忙，暂时无法在线接入。您的工单 {number} 已登记，工作人员将在 {due} 前与您联系，"
    "请保持电话畅通。已为您转回智能助手，您可以继续提问。"
)
# a live handoff opened without the form has no phone yet: the callback path is the chat itself, and the
# form (with the phone) one message away
TIMED_OUT_NO_PHONE = (
    "目前工作人员都在忙，暂时无法在线接入。您的咨询已登记为工单 {number}，工作人员将在 {due} 前"
    "在这里答复您。如需电话回电，请发送“转人工”留下姓名和手机号。已为您转回智能助手，您可以继续提问。"
)
TIMED_OUT_SMS = "您的工单{number}已登记，工作人员将在{due}前与您电话联系，请保持电话畅通。"
ONLINE_ANSWER = "在线已答复"
#: The name on an order a live handoff opened, until the clerk fills it in (补充联系方式).
PENDING_NAME = "（待补充）"
#: How far back handled requests count for the expected wait, and the estimate for one request when none do.
RECENT_SECONDS = 2 * 60 * 60
DEFAULT_WAIT_SECONDS = 60
#: After a live request of a conversation timed out, its next 转人工 gets the form (a phone for a callback).
RETRY_LIVE_SECONDS = 60 * 60
SYSTEM_LABEL = "诉讼服务中心"


class HandoffService:
    """The handoff's rules on top of the stored state, Rasa's API and the messenger."""

    def __init__(
        self,
        store: DeskStore,
        book: HandoffBook,
        rasa: RasaClient,
        messenger: Messenger,
        settings: DeskSettings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store, self.book, self.rasa, self.messenger = store, book, rasa, messenger
        self.settings = settings
        self.clock = clock

    # ------------------------------------------------------------------ service side

    def status(self) -> dict[str, int]:
        return {
            "clerks_online": self.book.online_count(self.clock(), self.settings.presence_seconds),
            "waiting": self.book.waiting_count(),
            "wait_seconds": self.settings.handoff_wait_seconds,
        }

    def request(self, number: str, conversation_id: str, channel: str) -> tuple[dict[str, Any], bool]:
        view, created = self.book.request(number, conversation_id, channel, self.clock())
        return self._with_queue(view), created

    def open_live(
        self,
        conversation_id: str,
        channel: str,
        summary: str,
        message_id: str | None,
        transcript: list[dict[str, str]],
    ) -> tuple[dict[str, Any], bool]:
        """转人工 with a clerk online: a 人工咨询 order from what is known (no name or phone yet: the clerk fills
        them in on the desk), stored and committed first, then queued. Retried with the same message id, the
        same order and request come back. A conversation whose live request nobody took within the last
        `RETRY_LIVE_SECONDS` is refused (Conflict): the citizen now leaves a phone in the form instead."""
        if self.book.timed_out_since(conversation_id, self.clock() - timedelta(seconds=RETRY_LIVE_SECONDS)):
            raise Conflict("该会话刚才的人工接入请求无人接听，请改为登记回电")
        created = self.store.create_work_order(
            NewWorkOrder(
                kind=WorkOrderKind.HUMAN.value,
                channel=channel,
                citizen_name=PENDING_NAME,
                callback_phone="",
                summary=summary,
                conversation_id=conversation_id,
                message_id=message_id,
                transcript=transcript,
            ),
            self.clock(),
        )
        view, queued = self.request(created.view["number"], conversation_id, channel)
        view["first_contact_due_label"] = created.view.get("first_contact_due_label")
        return view, queued

    def _with_queue(self, view: dict[str, Any]) -> dict[str, Any]:
        """The place in the queue and the expected wait (seconds), from the queue and recent handling: the
        mean wait of recently taken requests (one minute when there are none) per place, shared by the clerks
        online, and never more than the wait after which the desk gives up (HANDOFF_WAIT_SECONDS)."""
        now = self.clock()
        position = self.book.position(view["id"])
        waits = self.book.recent_waits(now, RECENT_SECONDS)
        per_request = sum(waits) / len(waits) if waits else DEFAULT_WAIT_SECONDS
        clerks = max(1, self.book.online_count(now, self.settings.presence_seconds))
        expected = math.ceil(per_request * position / clerks) if position else 0
        view["position"] = position
        view["expected_wait_seconds"] = min(expected, self.settings.handoff_wait_seconds)
        view["wait_seconds"] = self.settings.handoff_wait_seconds
        return view

    # ------------------------------------------------------------------ staff side

    def heartbeat(self, actor: Actor, available: bool | None = None) -> dict[str, int]:
        if actor.role in (lc.CLERK, lc.SUPERVISOR):
            self.book.heartbeat(actor, available, self.clock())
        return {"waiting": self.book.waiting_count()}

    def _target(self, view: dict[str, Any]) -> Target:
        target = self.store.delivery_target(view["number"])
        return dataclasses.replace(target, channel=view["channel"], conversation_id=view["conversation_id"])

    def _active_for(self, actor: Actor, handoff_id: int) -> dict[str, Any]:
        view = self.book.get(actor, handoff_id, self.clock())
        if view["status"] != HANDOFF_ACTIVE:
            raise HandoffGone(f"该在线咨询已{view['status']}")
        if view["clerk_id"] != actor.id and actor.role != lc.SUPERVISOR:
            raise AccessDenied(f"该在线咨询由{view['clerk_name']}接待")
        return view

    def _say(self, view: dict[str, Any], text: str, staff_name: str | None) -> Sent:
        """A chat line to the citizen (from a clerk, or from the desk when `staff_name` is None), kept in
        Rasa's transcript if the push did not keep it."""
        label = f"工作人员 {staff_name}" if staff_name else SYSTEM_LABEL
        sent = self.messenger.chat(self._target(view), text, label)
        if not sent.recorded:
            try:
                self.rasa.record_staff_line(view["conversation_id"], text, label)
            except RasaUnavailable as exc:
                log.warning("staff line not recorded in the transcript of %s: %s", view["number"], exc)
        return sent

    def take(self, actor: Actor, handoff_id: int) -> dict[str, Any]:
        """接入: the request becomes the actor's chat; a pool order is claimed (受理) on the way."""
        self.book.get(actor, handoff_id, self.clock())  # access check before anything changes
        self.book.take(actor, handoff_id, self.clock())
        view = self.book.get(actor, handoff_id, self.clock())
        try:
            if lc.ACCEPT in self.store.get_order(actor, view["number"])["actions"]:
                self.store.claim(actor, view["number"])
        except (lc.TransitionError, AccessDenied) as exc:
            log.info("handoff %s taken without claiming its order: %s", handoff_id, exc)
        self._say(view, GREETING.format(name=actor.name), actor.name)
        return view

    def send(self, actor: Actor, handoff_id: int, text: str) -> dict[str, Any]:
        view = self._active_for(actor, handoff_id)
        sent = self._say(view, text, actor.name)
        return {"delivered": sent.delivered, "via": sent.via, "label": sent.label}

    def lines(self, actor: Actor, handoff_id: int, after: int = -1) -> dict[str, Any]:
        """The conversation since event `after` (masked), for the console's poll."""
        view = self.book.get(actor, handoff_id, self.clock())
        try:
            lines = [line.as_dict() for line in self.rasa.lines(view["conversation_id"], after)]
        except RasaUnavailable as exc:
            return {"status": view["status"], "lines": [], "error": str(exc)}
        return {"status": view["status"], "lines": lines}

    def release(self, actor: Actor, handoff_id: int) -> dict[str, Any]:
        """转回智能助手: the bot takes the conversation back."""
        view = self._active_for(actor, handoff_id)
        if self.book.end(actor, handoff_id, HANDOFF_RETURNED, "转回智能助手", self.clock()):
            self._say(view, RETURNED, actor.name)
            self._finish(handoff_id, view)
        return view

    def close(self, actor: Actor, handoff_id: int, answer: str | None = None) -> dict[str, Any]:
        """结束: the chat ends (the bot resumes); an optional answer is stored on the work order."""
        view = self._active_for(actor, handoff_id)
        if self.book.end(actor, handoff_id, HANDOFF_CLOSED, "工作人员结束会话", self.clock()):
            self._say(view, CLOSED, actor.name)
            self._finish(handoff_id, view)
        if answer:
            result = self.store.add_reply(actor, view["number"], answer)
            self.store.mark_delivery(result["reply"]["id"], ONLINE_ANSWER)
        return view

    def _finish(self, handoff_id: int, view: dict[str, Any]) -> None:
        """Resume the bot and keep the chat on the work order (retried by the sweeper if Rasa is down)."""
        try:
            lines = self.rasa.lines(view["conversation_id"])
            self.store.save_transcript(
                view["number"],
                [{"sender": line.sender, "text": line.text, "at": line.at or ""} for line in lines],
            )
            self.rasa.resume(view["conversation_id"])
        except RasaUnavailable as exc:
            log.warning("could not resume conversation of %s yet: %s", view["number"], exc)
            return
        self.book.mark_resumed(handoff_id)

    # ------------------------------------------------------------------ the sweeper

    def sweep(self) -> dict[str, list[int]]:
        """Time out unanswered requests, hand back abandoned chats, retry failed resumes."""
        now = self.clock()
        done: dict[str, list[int]] = {"timed_out": [], "abandoned": [], "resumed": []}
        for handoff_id in self.book.timed_out(now, self.settings.handoff_wait_seconds):
            if self.book.end(None, handoff_id, HANDOFF_TIMED_OUT, "无人接入", now, from_status=("等待",)):
                view = self.book.get(None, handoff_id, now)
                target = self._target(view)
                due = target.first_contact_due_label or "承诺期限"
                if target.phone:
                    self.messenger.deliver(
                        target,
                        TIMED_OUT.format(number=view["number"], due=due),
                        TIMED_OUT_SMS.format(number=view["number"], due=due),
                        SYSTEM_LABEL,
                    )
                else:
                    self._say(view, TIMED_OUT_NO_PHONE.format(number=view["number"], due=due), None)
                self._finish(handoff_id, view)
                done["timed_out"].append(handoff_id)
        for handoff_id in self.book.abandoned(now, self.settings.handoff_abandon_seconds):
            if self.book.end(
                None, handoff_id, HANDOFF_RETURNED, "工作人员离线", now, from_status=(HANDOFF_ACTIVE,)
            ):
                view = self.book.get(None, handoff_id, now)
                self._say(view, ABANDONED.format(number=view["number"]), None)
                self._finish(handoff_id, view)
                done["abandoned"].append(handoff_id)
        for handoff_id, conversation_id in self.book.unresumed():
            if handoff_id in done["timed_out"] or handoff_id in done["abandoned"]:
                continue
            try:
                self.rasa.resume(conversation_id)
            except RasaUnavailable:
                continue
            self.book.mark_resumed(handoff_id)
            done["resumed"].append(handoff_id)
        return done
