"""The WeChat Official Account channel: `/webhooks/wechat/webhook`.

Every callback is checked in this order: body size (413), XML safety with defusedxml (400, before any
other parsing), signature in constant time, timestamp freshness and nonce replay (403), decryption in
safe/compatible mode. Then the message is de-duplicated across processes (WeChat retries three times
when it hears nothing for 5 s) and the bot's turn runs. If the bot answers within the reply budget
(~4 s) the answer goes back as a passive reply; otherwise WeChat gets "success" at once and the
answer follows as customer-service messages (or SMS when WeChat's window is closed).

`POST /webhooks/wechat/push` takes staff replies from the desk (push.py here, with the checks every
channel shares in bot/channels/common.py). A bot that fails gets the shared no-reply fallback.

Nothing blocking runs on Sanic's event loop: KV round trips (Redis in production) for the nonce,
de-duplication, window and button records, with the signature checks around them, run on a small
pool of their own (`_off_loop`); WeChat API calls and SMS run in `asyncio.to_thread`. Separate pools,
so that a slow WeChat API can never hold up the checks a callback must finish within 5 seconds.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy.parser import parse_message
from wechatpy.replies import create_reply

from bot.channels.common import (
    PushRefused,
    mask_conversation,
    push_answer,
    read_limited,
    read_push,
)
from bot.channels.wechat import push
from bot.channels.wechat import security as sec
from bot.channels.wechat.api import WeChatApi
from bot.channels.wechat.dedupe import Deduper
from bot.channels.wechat.inbound import Inbound, classify, welcome_text
from bot.channels.wechat.outbound import Outbox, PhoneBook
from bot.channels.wechat.outbound import sms_sender as outbound_sms
from bot.channels.wechat.queue import Entry, Turn, TurnQueue
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.text import ButtonMemory, render, split_text
from bot.channels.wechat.turns import TurnWorker
from bot.channels.wechat.window import ServiceWindow
from kernel.contracts import CLIENT_METADATA_KEY, client_key
from kernel.kv import KV

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]

# Short blocking steps of a callback (KV round trips, signature checks). Module-wide, so that the many
# channel objects of a test run share a handful of idle threads.
_CHECKS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wechat-checks")


async def _off_loop(function: Callable[..., Any], *args: Any) -> Any:
    """Run a short blocking step on the checks pool and wait for it without blocking the loop."""
    return await asyncio.get_running_loop().run_in_executor(_CHECKS, functools.partial(function, *args))


class WeChatOutput(OutputChannel):
    """Proactive messages (Rasa's trigger_intent / reminders with output_channel=wechat, staff replies
    through Rasa's API): customer-service message or SMS, like slow answers."""

    def __init__(self, channel: WeChatInput) -> None:
        self._channel = channel

    @classmethod
    def name(cls) -> str:
        return "wechat"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self._channel.deliver_later(recipient_id, [message])

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._channel.deliver_later(recipient_id, [{"text": text}])


class WeChatInput(InputChannel):
    """Custom Rasa input channel for a WeChat Official Account (see docs/wechat.md)."""

    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInput:
        try:
            return cls(WeChatSettings.load(credentials))
        except ValueError as exc:
            raise RasaException(f"WeChat channel: {exc}") from None

    def __init__(
        self,
        settings: WeChatSettings,
        kv: KV | None = None,
        clock: Callable[[], float] = time.time,
        sms_sender: Callable[[str, str], None] | None = None,
        queue: TurnQueue | None = None,
    ) -> None:
        self.settings = settings
        kv = kv or settings.kv()
        self._welcome = welcome_text(settings.court_settings)
        self._clock = clock
        self._key = settings.key
        self.api = WeChatApi(settings.api_base, settings.app_id, settings.app_secret, kv, clock)
        self.window = ServiceWindow(kv, clock)
        self.phones = PhoneBook(kv)
        self.outbox = Outbox(
            self.api,
            self.window,
            self.phones,
            sms_sender or outbound_sms(settings.sms_gateway()),
            settings.text_limit,
        )
        self.buttons = ButtonMemory(kv)
        self._nonces = sec.NonceGuard(kv, settings.timestamp_window)
        self._dedupe = Deduper(kv, ttl=2 * settings.timestamp_window)
        self._background: set[asyncio.Future] = set()
        self.queue = queue or settings.turn_queue()
        self.worker = TurnWorker(self.queue, kv, self._pieces, self._deliver_entry, idle=settings.queue_idle)

    def get_output_channel(self) -> OutputChannel:
        return WeChatOutput(self)

    # ---- HTTP -------------------------------------------------------------------------------------

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        bp = Blueprint(f"wechat_webhook_{id(self)}", type(self).__module__)

        @bp.listener("after_server_start")
        async def start_worker(app, _loop) -> None:
            await self.start_worker(on_new_message, lambda: _tracker_store(app))

        @bp.listener("before_server_stop")
        async def stop_worker(_app, _loop) -> None:
            await self.worker.stop()

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                return response.text(self._verify_url(request.args))
            except sec.RejectedRequest as exc:
                return self._rejected(exc)

        @bp.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            started = asyncio.get_running_loop().time()
            try:
                body = await read_limited(request, self.settings.max_body)
                if body is None:
                    raise sec.RejectedRequest(413, f"body larger than {self.settings.max_body} bytes")
                xml, encrypted = await _off_loop(self._authenticate, request.args, body)
                message = _parse(xml)
            except sec.RejectedRequest as exc:
                return self._rejected(exc)
            nonce = request.args.get("nonce", "")
            try:
                reply = await self._handle(message, on_new_message, started)
            except QueueUnavailable as exc:
                return self._rejected(sec.RejectedRequest(503, str(exc)))
            return self._passive(message, reply, encrypted, nonce)

        @bp.route("/push", methods=["POST"], stream=True)
        async def staff_push(request: Request) -> HTTPResponse:
            return await self._push(request)

        return bp

    async def _push(self, request: Request) -> HTTPResponse:
        """A staff reply from the desk: customer-service message, else SMS, else reported undelivered."""
        try:
            reply = push.staff_reply(await read_push(request, self.settings.push_token))
        except PushRefused as refused:
            return refused.answer(self.name())
        who = mask_conversation(reply.openid)
        try:
            routes = await asyncio.to_thread(self.outbox.send, reply.openid, reply.text, reply.phone)
        except Exception:
            logger.exception("wechat push to %s failed", who)
            reason = "投递时出错，回复可能未送达，请稍后重试或电话联系当事人"
            return response.json({"delivered": False, "reason": reason}, status=502)
        result = push.outcome(routes)
        logger.info("wechat push to %s: %s in %d part(s)", who, result["via"], len(routes))
        return push_answer(result)

    def _rejected(self, exc: sec.RejectedRequest) -> HTTPResponse:
        logger.warning("wechat callback rejected: %s", exc.reason)
        return response.json({"errcode": exc.status, "reason": exc.reason}, status=exc.status)

    @staticmethod
    def _require_time(args) -> tuple[str, str]:
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        if not timestamp or not nonce:
            raise sec.RejectedRequest(400, "timestamp and nonce are required")
        return timestamp, nonce

    def _verify_url(self, args) -> str:
        """GET from WeChat when the server URL is configured: echo `echostr` if the signature holds.
        (An encrypted echostr with msg_signature, as WeCom sends it, is decrypted and echoed.)"""
        timestamp, nonce = self._require_time(args)
        echostr = args.get("echostr", "")
        if args.get("msg_signature") and self._key:
            sec.check_msg_signature(self.settings.token, args.get("msg_signature"), timestamp, nonce, echostr)
            sec.check_fresh(timestamp, self._clock(), self.settings.timestamp_window)
            return sec.decrypt(self._key, self.settings.app_id, echostr)
        sec.check_url_signature(self.settings.token, args.get("signature"), timestamp, nonce)
        sec.check_fresh(timestamp, self._clock(), self.settings.timestamp_window)
        return echostr

    def _authenticate(self, args, body: bytes) -> tuple[str, bool]:
        """The message XML once every check passed, and whether the reply must be encrypted.

        Blocking (the nonce record is a KV round trip): run it with `_off_loop`."""
        root = sec.safe_xml(body)
        token = self.settings.token
        encrypted = args.get("encrypt_type", "raw").lower() == "aes"
        if encrypted and not self._key:
            raise sec.RejectedRequest(400, "encrypted callback but no EncodingAESKey configured")
        if not encrypted and self._key:
            raise sec.RejectedRequest(403, "plaintext callback refused: this account uses encryption")
        timestamp, nonce = self._require_time(args)
        if encrypted:
            encrypt = sec.field(root, "Encrypt")
            sec.check_msg_signature(token, args.get("msg_signature"), timestamp, nonce, encrypt)
        else:
            sec.check_url_signature(token, args.get("signature"), timestamp, nonce)
        sec.check_fresh(timestamp, self._clock(), self.settings.timestamp_window)
        self._nonces.check(timestamp, nonce, body)
        if not encrypted or self._key is None:  # (no key with encryption was refused above)
            try:
                return body.decode("utf-8"), False
            except UnicodeDecodeError:
                raise sec.RejectedRequest(400, "body is not UTF-8") from None
        xml = sec.decrypt(self._key, self.settings.app_id, encrypt)
        sec.safe_xml(xml)  # the decrypted document gets the same screening
        return xml, True

    def _passive(self, message, text: str | None, encrypted: bool, nonce: str) -> HTTPResponse:
        """A passive text reply (encrypted when the callback was), or "success" for none."""
        if not text:
            return response.text("success")
        # wechatpy wraps Content in CDATA without escaping: split any "]]>" across two sections.
        xml = create_reply(text.replace("]]>", "]]]]><![CDATA[>"), message).render()
        if encrypted and self._key is not None:
            xml = sec.encrypt_reply(self.settings.token, self._key, self.settings.app_id, xml, nonce)
        return response.text(xml, content_type="application/xml")

    # ---- turns ------------------------------------------------------------------------------------

    async def start_worker(self, on_new_message: Handler, tracker_store=None) -> None:
        """Start the queue worker (heartbeats, taking over turns of stopped processes)."""
        await self.worker.start(on_new_message, tracker_store)

    async def _handle(self, message, on_new_message: Handler, started: float) -> str | None:
        """Decide, de-duplicate and run; returns the passive reply text or None for "success"."""
        inbound = classify(message, self._welcome)
        openid = message.source
        if inbound.kind == "ignore":
            if message.type == "unsubscribe":
                await _off_loop(self.buttons.forget, openid)
            return None
        record = await _off_loop(self._admit, openid, inbound)
        if record is not None:
            return await self._duplicate(inbound.dedupe_key, record, on_new_message, started)
        if inbound.kind == "reply":
            await _off_loop(self._dedupe.finish, inbound.dedupe_key, Deduper.PASSIVE + inbound.text)
            return inbound.text
        return await self._turn(message, inbound, on_new_message, started)

    def _admit(self, openid: str, inbound: Inbound) -> str | None:
        """The KV part of taking a message in: open WeChat's service window for the user and claim
        the message. None means this process owns the turn; else the record of whoever does."""
        if inbound.grant:
            self.window.open(openid, inbound.grant, inbound.grant_id)
        record = self._dedupe.claim(inbound.dedupe_key, self.worker.consumer)
        if record is not None:
            self._dedupe.mark_retried(inbound.dedupe_key)
        return record

    async def _duplicate(self, key: str, record: str, on_new_message: Handler, started: float) -> str | None:
        """A WeChat retry: the passive reply again; or, when the process that took the message has
        stopped, the answer it left on the queue (or a new turn), so the retry is not dropped."""
        if record.startswith(Deduper.PASSIVE):
            logger.info("wechat: duplicate delivery of %s answered again", key)
            return record[len(Deduper.PASSIVE) :]
        entry = await _off_loop(self._orphan, key, record)
        if entry is None:
            logger.info("wechat: duplicate delivery of %s ignored", key)
            return None
        logger.info("wechat: retry of %s takes over the turn of a stopped process", key)
        return await self._answer(entry, on_new_message, started)

    def _orphan(self, key: str, record: str) -> Entry | None:
        """The queued entry of `key` if the process that owns it stopped and this retry may take it."""
        owner = record[len(Deduper.PROCESSING) :] if record.startswith(Deduper.PROCESSING) else ""
        if not owner or self.worker.is_alive(owner):
            return None
        if not self._dedupe.take_over(key, self.worker.consumer):
            return None
        entry = self._take_queued(key)
        if entry is not None:
            self._dedupe.clear_retried(key)
        return entry

    def _take_queued(self, key: str) -> Entry | None:
        entry = self.queue.find(key)
        return None if entry is None else self.queue.take(entry, min_idle=2 * self.worker.heartbeat)

    def _enqueue(self, turn: Turn) -> Entry | None:
        """Durable before WeChat hears anything. A key the queue knows already (the in-process KV
        forgot it in a restart) is that entry, taken over if its owner is gone, else a duplicate."""
        entry = self.queue.put(turn)
        return entry if entry is not None else self._take_queued(turn.key)

    async def _turn(self, message, inbound: Inbound, on_new_message: Handler, started: float) -> str | None:
        openid = message.source
        text = await _off_loop(self.buttons.resolve, openid, inbound.text)
        metadata = {
            "wechat": {
                "msg_type": message.type,
                "msg_id": str(message.id or ""),
                "create_time": message.time,
            },
            # the OpenID is the client (WeChat signs it; there is no citizen address): per-client limits
            CLIENT_METADATA_KEY: client_key("wechat:" + openid),
        }
        turn = Turn(
            key=inbound.dedupe_key,
            openid=openid,
            text=text,
            message_id=f"wechat-{inbound.dedupe_key}",
            metadata=metadata,
            grant=inbound.grant,
            grant_id=str(inbound.grant_id or ""),
            accepted_at=self._clock(),
        )
        try:
            entry = await _off_loop(self._enqueue, turn)
        except Exception:
            # Not accepted: WeChat must not hear "success". It sends the message again (3 times in
            # 15 s); the claim goes, so a retry is a new attempt rather than a duplicate.
            logger.exception("WECHAT_QUEUE_UNAVAILABLE step=accept key=%s", turn.key)
            await _off_loop(self._dedupe.release, turn.key)
            raise QueueUnavailable("the turn queue is unavailable; WeChat will retry") from None
        if entry is None:
            logger.info("wechat: %s is queued already", inbound.dedupe_key)
            return None
        return await self._answer(entry, on_new_message, started)

    async def _answer(self, entry: Entry, on_new_message: Handler, started: float) -> str | None:
        """A passive reply if the answer is ready within the budget; otherwise "success", and the
        answer goes out as customer-service messages once it is ready. Either way from the queue."""
        self.worker.hold(entry)
        task = asyncio.ensure_future(self.worker.answer_of(entry, on_new_message))
        remaining = self.settings.reply_budget - (asyncio.get_running_loop().time() - started)
        done, _ = await asyncio.wait({task}, timeout=max(0.0, remaining))
        key, openid = entry.turn.key, entry.turn.openid
        if not done:
            await _off_loop(self._dedupe.finish, key, Deduper.ASYNC)
            logger.info("wechat: slow turn for %s, answering later", mask_conversation(openid))
            self._keep(asyncio.ensure_future(self._later(entry, task)))
            return None
        if task.exception() is not None:  # the queue failed: the entry stays pending for a reclaim
            self.worker.release(entry)
            logger.error("WECHAT_QUEUE_UNAVAILABLE step=answer key=%s", key, exc_info=task.exception())
            return None
        answered = task.result()
        pieces = answered.answer or []
        if not pieces or await _off_loop(self._dedupe.retried, key):
            # WeChat already gave up on this connection and retried: a passive reply would be lost.
            await _off_loop(self._dedupe.finish, key, Deduper.ASYNC)
            self._keep(asyncio.ensure_future(self.worker.finish(answered)))
            return None
        try:
            await _off_loop(self._passive_sent, answered, key, pieces[0])
        except Exception:  # the answer is on record: a reclaim sends it as a customer-service message
            self.worker.release(answered)
            logger.exception("WECHAT_QUEUE_UNAVAILABLE step=passive key=%s", key)
            return None
        self._keep(asyncio.ensure_future(self.worker.finish(replace(answered, sent=1))))
        return pieces[0]

    async def _later(self, entry: Entry, task: asyncio.Future) -> None:
        """The answer of a slow turn, once ready, as customer-service messages."""
        try:
            answered = await task
        except Exception:
            self.worker.release(entry)  # stays pending: a reclaim answers it
            logger.exception("WECHAT_QUEUE_UNAVAILABLE step=answer key=%s", entry.turn.key)
            return
        await self.worker.finish(answered)

    def _passive_sent(self, entry: Entry, key: str, text: str) -> None:
        """The first part goes as the passive reply. A retry finds it in the dedupe record."""
        self.queue.record_sent(entry, 1)
        self._dedupe.finish(key, Deduper.PASSIVE + text)

    def _deliver_entry(self, entry: Entry) -> None:
        """Send the parts of a queued answer not sent yet, record each, then acknowledge (blocking)."""
        turn, pieces = entry.turn, entry.answer or []
        if turn.grant:
            self.window.restore(turn.openid, turn.grant, turn.grant_id, turn.accepted_at)
        if pieces[entry.sent :]:
            self.outbox.deliver(
                turn.openid,
                pieces[entry.sent :],
                progress=lambda n: self.queue.record_sent(entry, entry.sent + n),
            )
        self.queue.ack(entry)

    def _pieces(self, openid: str, messages: list[dict]) -> list[str]:
        """Rendered, split text; remembers the numbered buttons (a KV write: run it off the loop)."""
        text, payloads = render(messages)
        self.buttons.remember(openid, payloads)
        return split_text(text, self.settings.text_limit)

    async def _send(self, openid: str, pieces: list[str]) -> list[str]:
        if not pieces:
            return []
        return await asyncio.to_thread(self.outbox.deliver, openid, pieces)

    async def deliver_later(self, openid: str, messages: list[dict]) -> list[str]:
        """Render bot messages and send them outside a passive reply (customer service, else SMS)."""
        return await self._send(openid, await _off_loop(self._pieces, openid, messages))

    def _keep(
        self, future: asyncio.Future, then: Callable[[asyncio.Future], Awaitable[Any]] | None = None
    ) -> None:
        """Hold a reference to background work until it ends (asyncio keeps only weak ones)."""
        if then is not None:
            source = future

            async def chain() -> Any:
                await asyncio.wait({source})
                return await then(source)

            future = asyncio.ensure_future(chain())
        self._background.add(future)
        future.add_done_callback(self._background.discard)
        future.add_done_callback(_log_failure)

    async def drain(self) -> None:
        """Wait for background deliveries (tests and graceful shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
        await self.worker.drain()


def _tracker_store(app) -> Any:
    """Rasa's tracker store once the agent is loaded (the worker looks up turns a stopped process ran)."""
    agent = getattr(app.ctx, "agent", None)
    return getattr(agent, "tracker_store", None)


class QueueUnavailable(Exception):
    """A callback could not be queued: answered 503, so that WeChat retries."""


def _parse(xml: str):
    """wechatpy's parser on screened XML; a document without the fields every message has is refused."""
    try:
        message = parse_message(xml)
    except (KeyError, AttributeError, TypeError, ValueError):
        raise sec.RejectedRequest(400, "not a WeChat message") from None
    if not message or not message.source or not message.time:
        raise sec.RejectedRequest(400, "not a WeChat message")
    return message


def _log_failure(future: asyncio.Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("wechat: background delivery failed", exc_info=future.exception())
