"""The court website's chat page and its socket.io channel (`webchat`), safe against session theft.

Rasa's own socket.io channel with `session_persistence` lets a browser name any conversation id, so
whoever learns an id joins that conversation. Here the server issues the id together with a signed
token (token.py here); a socket acts for a conversation only after presenting both,
and every message goes to the conversation bound to that socket, never to an id the client names.

Endpoints (Rasa mounts the blueprint under /webhooks/webchat):
  GET  /webhooks/webchat/            the chat page (static files under ./static/, strict CSP)
  GET  /webhooks/webchat/session     a new conversation id and its token
  POST /webhooks/webchat/push        staff messages during a live handoff (Bearer CHANNEL_PUSH_TOKEN)
  /webhooks/webchat/socket.io/       socket.io (python-socketio AsyncServer attached to Rasa's Sanic app)

Several replicas (REDIS_URL set): the socket.io server uses `AsyncRedisManager`, so an emit to a
conversation's room — a bot answer, a staff push, typing — reaches its pages on every replica, and a
page's acknowledgement travels back to the replica that asked; presence.py here keeps the list of open
pages that socket.io keeps only per replica (docs/cluster.md).

Socket events: client → `session_request` {session_id, token}, `user_uttered` {message, id?};
server → `session_confirm` {session_id, token, expires_at}, `session_error` {code, message},
`history` {messages}, `bot_uttered` message, `typing` {on}. Message format: history.py here. The
no-reply fallback, the paused check and the push's checks are the ones every channel shares (common.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer
from socketio.exceptions import TimeoutError as AckTimeout

from bot.channels.common import (
    NO_REPLY_FALLBACK,
    PushRefused,
    conversation_paused,
    mask_conversation,
    push_answer,
    read_push,
)
from bot.channels.webchat.history import (
    bot_message,
    card_of,
    history_from_events,
    staff_message,
    waiting_of,
)
from bot.channels.webchat.presence import LocalPresence, Presence, RedisPresence
from bot.channels.webchat.token import DEFAULT_TTL_SECONDS, SessionSigner, TokenError, ephemeral_secret
from kernel.contracts import CLIENT_METADATA_KEY, PushAnswer, client_key, staff_metadata
from kernel.text import strip_invisible

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parents[2] / "static" / "webchat"
STATIC_FILES = {
    "app.js": "application/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "vendor/socket.io.min.js": "application/javascript; charset=utf-8",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
TOO_LONG = "您的消息太长了，请分几次发送（每次不超过{limit}字）。"
SESSION_ERRORS = {
    TokenError.EXPIRED: "会话已过期，将为您开始新的对话。",
    TokenError.MISSING: "会话凭证缺失，将为您开始新的对话。",
    TokenError.MALFORMED: "会话凭证无效，将为您开始新的对话。",
    TokenError.FORGED: "会话凭证无效，将为您开始新的对话。",
}
NO_SESSION = {"code": "no_session", "message": "连接尚未就绪，请稍候再发送。"}
DEDUPE_SIZE = 4096


@dataclass(frozen=True)
class WebChatSettings:
    """Everything configurable; secrets come from the environment, never from credentials.yml."""

    secret: str = ""
    token_ttl_seconds: int = DEFAULT_TTL_SECONDS
    push_token: str = ""
    allowed_origins: list[str] = field(default_factory=list)
    socketio_path: str = "/webhooks/webchat/socket.io"
    max_message_chars: int = 1000
    record_staff_messages: bool = True
    staff_ack_timeout: float = 5.0
    redis_url: str = ""  # set: replicas share rooms and acknowledgements through Redis pub/sub
    redis_channel: str = "court-webchat"  # the pub/sub channel (and key prefix) the replicas share

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> WebChatSettings:
        env = os.environ if environ is None else environ
        origins = [o.strip() for o in env.get("WEBCHAT_ALLOWED_ORIGINS", "").split(",") if o.strip()]
        values: dict[str, Any] = {
            "secret": env.get("WEBCHAT_SECRET", ""),
            "token_ttl_seconds": int(env.get("WEBCHAT_TOKEN_TTL_SECONDS") or DEFAULT_TTL_SECONDS),
            "push_token": env.get("CHANNEL_PUSH_TOKEN", ""),
            "allowed_origins": origins,
            "redis_url": env.get("REDIS_URL", "").strip(),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


class WebChatOutput(OutputChannel):
    """Emits bot messages to every socket of a conversation, counting what the citizen actually sees."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    def __init__(self, sio: AsyncServer) -> None:
        self.sio = sio
        self.sent = 0

    async def emit(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.sio.emit("bot_uttered", message, room=room_of(recipient_id))
        self.sent += 1

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """A message with a card or a queue place is one message on the page (Rasa would send its text and
        its custom payload as two); anything else as Rasa sends it."""
        custom = message.get("custom")
        if card_of(custom) or waiting_of(custom):
            await self.emit(
                recipient_id, bot_message(message.get("text"), message.get("buttons"), custom=custom)
            )
            return
        await super().send_response(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.emit(recipient_id, bot_message(text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.emit(recipient_id, bot_message(text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.emit(recipient_id, bot_message("", image=image))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """The page renders no custom widgets; a custom payload's `text` (and buttons) is shown."""
        if isinstance(json_message.get("text"), str):
            await self.emit(recipient_id, bot_message(json_message["text"], json_message.get("buttons")))

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, str):
            await self.emit(recipient_id, bot_message(attachment))

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        for element in elements or []:
            if isinstance(element, dict) and isinstance(element.get("title"), str):
                await self.emit(recipient_id, bot_message(element["title"], element.get("buttons")))


def room_of(conversation_id: str) -> str:
    """Conversation rooms are prefixed so they can never collide with a socket's own room."""
    return f"conv:{conversation_id}"


class WebChatBlueprint(Blueprint):
    """Attaches the socket.io server to the Sanic app the blueprint is registered on (as Rasa's does)."""

    def __init__(self, channel: WebChatInput, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        channel = self.ctx.channel
        channel.app = app
        channel.sio.attach(app, channel.settings.socketio_path)
        app.register_listener(channel.start_manager, "after_server_start")
        super().register(app, options)


class WebChatInput(InputChannel):
    """The `webchat` input channel: credentials.yml `bot.channels.webchat.WebChatInput:`."""

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        overrides = {
            k: credentials.get(k) for k in ("socketio_path", "max_message_chars", "record_staff_messages")
        }
        return cls(WebChatSettings.from_env(**overrides))

    def __init__(self, settings: WebChatSettings | None = None) -> None:
        self.settings = settings or WebChatSettings.from_env()
        secret = self.settings.secret
        if not secret:
            logger.warning("WEBCHAT_SECRET is not set: web chat conversations will not survive a restart")
            secret = ephemeral_secret()
        self.signer = SessionSigner(secret, self.settings.token_ttl_seconds)
        self.sio: AsyncServer | None = None
        self.presence: Presence | None = None
        self.app: Sanic | None = None
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._tasks: set[asyncio.Task] = set()

    def get_output_channel(self) -> OutputChannel | None:
        """Lets Rasa's HTTP API (`?output_channel=webchat`) and reminders reach the page."""
        return WebChatOutput(self.sio) if self.sio else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        origins = self.settings.allowed_origins or None  # None: same origin only
        self.sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=origins,
            max_http_buffer_size=64_000,
            client_manager=self._client_manager(),
        )
        self.presence = self._make_presence(self.sio)
        bp = WebChatBlueprint(self, "webchat_webhook", __name__)
        self._add_page_routes(bp)
        self._add_api_routes(bp)
        self._add_socket_handlers(self.sio, on_new_message)
        return bp

    def _client_manager(self) -> AsyncRedisManager | None:
        """None: socket.io's in-process manager (one replica)."""
        url = self.settings.redis_url
        return AsyncRedisManager(url, channel=self.settings.redis_channel) if url else None

    def _make_presence(self, sio: AsyncServer) -> Presence:
        if not self.settings.redis_url:
            return LocalPresence(sio)
        host_id = getattr(sio.manager, "host_id", "local")
        ttl = self.settings.token_ttl_seconds
        return RedisPresence(self.settings.redis_url, self.settings.redis_channel, ttl, host_id)

    async def start_manager(self, *_: Any) -> None:
        """Listen to the other replicas from the start, not from this replica's first socket.

        python-socketio starts its Redis listener at the first connection; a replica that has none
        would never hear the acknowledgement of a staff push it forwarded to another replica."""
        sio = self._server
        if not sio.manager_initialized:
            sio.manager_initialized = True
            sio.manager.initialize()

    # ---- HTTP ------------------------------------------------------------------------------------

    def _add_page_routes(self, bp: Blueprint) -> None:
        @bp.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            if not request.path.endswith("/"):  # relative URLs in the page need the trailing slash
                return response.redirect(request.path + "/", status=301)
            resp = await response.file(STATIC_DIR / "index.html", mime_type="text/html; charset=utf-8")
            resp.headers.update(_page_headers())
            resp.headers["Cache-Control"] = "no-cache"
            return resp

        @bp.route("/static/<name:path>", methods=["GET"])
        async def static(request: Request, name: str) -> HTTPResponse:
            if name not in STATIC_FILES:  # a fixed list: no path is ever built from the request
                return response.json({"reason": "not found"}, status=404)
            resp = await response.file(STATIC_DIR / name, mime_type=STATIC_FILES[name])
            resp.headers.update(_page_headers())
            resp.headers["Cache-Control"] = "public, max-age=300"
            return resp

    def _add_api_routes(self, bp: Blueprint) -> None:
        @bp.route("/session", methods=["GET"])
        async def new_session(request: Request) -> HTTPResponse:
            return response.json(self.signer.issue().as_dict(), headers={"Cache-Control": "no-store"})

        @bp.route("/push", methods=["POST"], stream=True)
        async def push(request: Request) -> HTTPResponse:
            return await self._push(request)

    async def _push(self, request: Request) -> HTTPResponse:
        """A staff message from the desk: kept in the conversation, then shown on its open pages."""
        try:
            push = (await read_push(request, self.settings.push_token)).message
        except PushRefused as refused:
            return refused.answer(self.name())
        recipient = push["recipient_id"]
        message = staff_message(push["text"], push["buttons"], push["sender_label"])
        recorded = await self._record_staff(recipient, message)
        delivered = await self._deliver_staff(recipient, message)
        logger.info(
            "staff message for %s: delivered=%s recorded=%s",
            mask_conversation(recipient),
            delivered,
            recorded,
        )
        return push_answer(PushAnswer(delivered=delivered, recorded=recorded))

    # ---- agent access ----------------------------------------------------------------------------

    def _agent(self) -> Any:
        return getattr(self.app.ctx, "agent", None) if self.app else None

    async def _tracker_events(self, conversation_id: str) -> list[dict[str, Any]] | None:
        agent = self._agent()
        if agent is None or agent.tracker_store is None:
            return None
        tracker = await agent.tracker_store.retrieve_full_tracker(conversation_id)
        return [event.as_dict() for event in tracker.events] if tracker else None

    async def _record_staff(self, conversation_id: str, message: dict[str, Any]) -> bool:
        """Keep the staff message in the conversation (masked by the store) so a reload shows it."""
        agent = self._agent()
        if not self.settings.record_staff_messages or agent is None:
            return False
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is None or not tracker.events:
                return False
            data = {"buttons": message["buttons"]} if message["buttons"] else {}
            metadata = staff_metadata(message["label"])
            tracker.update(BotUttered(message["text"], data, metadata))
            await agent.tracker_store.save(tracker)
        return True

    @property
    def _server(self) -> AsyncServer:
        """The socket.io server; handlers run only after blueprint() has created it."""
        if self.sio is None:
            raise RuntimeError("the web chat channel has no socket.io server before blueprint()")
        return self.sio

    @property
    def _presence(self) -> Presence:
        if self.presence is None:
            raise RuntimeError("the web chat channel has no presence list before blueprint()")
        return self.presence

    async def _deliver_staff(self, conversation_id: str, message: dict[str, Any]) -> bool:
        """True when at least one open page of the conversation, on any replica, acknowledged it.

        The message goes to the conversation's room (through Redis to every replica when shared); the
        first page's acknowledgement answers. No page open anywhere: False at once."""
        room = room_of(conversation_id)
        if not await self._presence.any_open(conversation_id, room):
            return False
        try:
            await self._server.call("bot_uttered", message, to=room, timeout=self.settings.staff_ack_timeout)
        except AckTimeout:
            return False
        return True

    # ---- socket.io -------------------------------------------------------------------------------

    def _add_socket_handlers(self, sio: AsyncServer, on_new_message: Callable[..., Awaitable[Any]]) -> None:
        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            await sio.save_session(
                sid, {"conversation": None, "client": client_key(_remote_address(environ))}
            )
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str, *_: Any) -> None:
            try:
                session = await sio.get_session(sid)
            except KeyError:  # gone before its session was saved
                return
            if session.get("conversation"):
                conversation = session["conversation"]
                await self._presence.leave(conversation, room_of(conversation), sid)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            await self._session_request(sid, data if isinstance(data, dict) else {})

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any = None) -> dict[str, Any]:
            return await self._user_uttered(sid, data if isinstance(data, dict) else {}, on_new_message)

    async def _session_request(self, sid: str, data: dict[str, Any]) -> None:
        session_id, token = data.get("session_id"), data.get("token")
        error = self.signer.verify(session_id, token)
        if error or not isinstance(session_id, str):
            error = error or TokenError.MALFORMED
            logger.info("web chat socket %s refused: %s token", sid, error.value)
            await self._server.emit(
                "session_error", {"code": error.value, "message": SESSION_ERRORS[error]}, to=sid
            )
            return
        session = await self._server.get_session(sid)
        previous = session.get("conversation")
        if previous and previous != session_id:
            await self._server.leave_room(sid, room_of(previous))
            await self._presence.leave(previous, room_of(previous), sid)
        await self._server.save_session(sid, {"conversation": session_id, "client": session.get("client")})
        await self._server.enter_room(sid, room_of(session_id))
        await self._presence.join(session_id, room_of(session_id), sid)
        await self._server.emit("session_confirm", self.signer.sign(session_id).as_dict(), to=sid)
        await self._server.emit("history", {"messages": await self._history(session_id)}, to=sid)

    async def _history(self, conversation_id: str) -> list[dict[str, Any]]:
        try:
            events = await self._tracker_events(conversation_id)
        except Exception:
            logger.exception("could not read the history of %s", mask_conversation(conversation_id))
            return []
        return history_from_events(events or [])

    async def _user_uttered(
        self, sid: str, data: dict[str, Any], on_new_message: Callable[..., Awaitable[Any]]
    ) -> dict[str, Any]:
        session = await self._server.get_session(sid)
        conversation, client = session.get("conversation"), session.get("client")
        if not conversation:
            await self._server.emit("session_error", NO_SESSION, to=sid)
            return {"ok": False, "error": "no_session"}
        text = data.get("message")
        text = strip_invisible(text) if isinstance(text, str) else text  # never stored, logged or classified
        if not isinstance(text, str) or not text.strip():
            return {"ok": False, "error": "empty"}
        if len(text) > self.settings.max_message_chars:
            notice = bot_message(TOO_LONG.format(limit=self.settings.max_message_chars))
            await self._server.emit("bot_uttered", notice, to=sid)
            return {"ok": False, "error": "too_long"}
        if self._is_duplicate(conversation, data.get("id")):
            return {"ok": True, "duplicate": True}
        task = asyncio.ensure_future(self._run_turn(conversation, text, on_new_message, client))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return {"ok": True}

    def _is_duplicate(self, conversation: str, message_id: Any) -> bool:
        """A page resends a message whose acknowledgement a dropped connection swallowed."""
        if not isinstance(message_id, str) or not 0 < len(message_id) <= 64:
            return False
        key = (conversation, message_id)
        if key in self._seen:
            return True
        self._seen[key] = None
        while len(self._seen) > DEDUPE_SIZE:
            self._seen.popitem(last=False)
        return False

    async def _run_turn(
        self,
        conversation: str,
        text: str,
        on_new_message: Callable[..., Awaitable[Any]],
        client: str | None = None,
    ) -> None:
        """One citizen message: typing on, let Rasa answer, typing off, never leave the citizen in silence."""
        output = WebChatOutput(self.sio)
        room = room_of(conversation)
        await self._server.emit("typing", {"on": True}, room=room)
        try:
            metadata = {CLIENT_METADATA_KEY: client}
            await on_new_message(
                UserMessage(text, output, conversation, input_channel=self.name(), metadata=metadata)
            )
        except Exception:
            logger.exception("the web chat message of %s failed", mask_conversation(conversation))
        try:
            if output.sent == 0 and not await conversation_paused(self._agent(), conversation):
                logger.warning("no reply for %s: sending the fallback", mask_conversation(conversation))
                await self._server.emit("bot_uttered", bot_message(NO_REPLY_FALLBACK), room=room)
        finally:  # last, so "typing off" means the turn is over
            await self._server.emit("typing", {"on": False}, room=room)


def _remote_address(scope: dict) -> str | None:
    """The socket's peer address from the connection's WSGI-style scope (not an environment variable)."""
    value = scope.get("REMOTE_ADDR")
    return value if isinstance(value, str) else None


def _page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "SAMEORIGIN",
    }
