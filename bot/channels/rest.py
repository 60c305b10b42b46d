"""Rasa's REST channel, but a citizen never gets an empty answer.

Rasa 3.6 answers `[]` when the action server is down or an action crashed before uttering anything.
This channel (same URL, /webhooks/rest/webhook) adds a polite fallback in that case — except when the
conversation is paused for a live handoff, where the bot is silent on purpose and staff answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Request

logger = logging.getLogger(__name__)
NO_REPLY_FALLBACK = "抱歉，系统繁忙，暂时没能回复您。请稍后再试，或拨打 12368 诉讼服务热线。"


async def conversation_paused(app: Any, sender_id: str) -> bool:
    """Whether staff have taken the conversation over (read from the tracker store)."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if agent is None or agent.tracker_store is None:
        return False
    try:
        tracker = await agent.tracker_store.retrieve(sender_id)
    except Exception:  # noqa: BLE001 - a broken store must not cost the citizen an answer
        logger.exception("could not read the tracker")
        return False
    return bool(tracker and tracker.is_paused())


class SafeRestInput(RestInput):
    """`rest` with a no-silence guarantee."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    _app: Any = None  # the Rasa server's Sanic app, seen on the first request

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> None:
            output = message.output_channel
            before = len(getattr(output, "messages", []) or [])
            try:
                await on_new_message(message)
            finally:
                messages = getattr(output, "messages", None)
                if isinstance(messages, list) and len(messages) == before and not await conversation_paused(
                    self._app, message.sender_id
                ):
                    logger.warning("no reply to a message: sending the fallback")
                    await output.send_text_message(message.sender_id, NO_REPLY_FALLBACK)

        return super().blueprint(guarded)

    async def _extract_sender(self, req: Request) -> str:
        self._app = req.app
        return await super()._extract_sender(req)
