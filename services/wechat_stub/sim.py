"""Plays WeChat's server towards the bot: signed (and AES-encrypted) XML callbacks for a given OpenID.

Built on wechatpy's own crypto (`WeChatCrypto`) and signer, so the bot is exercised by an independent
implementation of the protocol. Each user action is also reported to the stand-in (`stub_url`) so that
its customer-service window opens exactly as WeChat's would.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

MODES = ("plaintext", "compatible", "safe")


def signature(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


@dataclass
class SimReply:
    """What the bot answered: HTTP status, raw body, and the text of a passive reply (None: "success")."""

    status: int
    body: str
    text: str | None


def _xml(fields: dict[str, str | int]) -> str:
    inner = "".join(
        f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()
    )
    return f"<xml>{inner}</xml>"


class WeChatServer:
    """Sends what WeChat would send when user `openid` does something in the Official Account."""

    def __init__(
        self,
        webhook_url: str,
        token: str,
        app_id: str,
        encoding_aes_key: str = "",
        mode: str | None = None,
        stub_url: str | None = None,
        account: str = "gh_court_demo",
        clock: Callable[[], float] = time.time,
        timeout: tuple[float, float] = (3.05, 10.0),
    ) -> None:
        self.webhook_url = webhook_url
        self.token = token
        self.app_id = app_id
        self.mode = mode or ("safe" if encoding_aes_key else "plaintext")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._crypto = WeChatCrypto(token, encoding_aes_key, app_id) if self.mode != "plaintext" else None
        self.stub_url = stub_url.rstrip("/") if stub_url else None
        self.account = account
        self.clock = clock
        self.timeout = timeout
        self._http = requests.Session()
        self._last_time = 0
        self._lock = threading.Lock()

    # ---- building ---------------------------------------------------------------------------------

    def _create_time(self) -> int:
        """Strictly increasing per simulator, so two events of one user never share a CreateTime."""
        with self._lock:
            self._last_time = max(int(self.clock()), self._last_time + 1)
            return self._last_time

    def message_fields(self, openid: str, msg_type: str, **extra: str | int) -> dict[str, str | int]:
        fields: dict[str, str | int] = {
            "ToUserName": self.account,
            "FromUserName": openid,
            "CreateTime": self._create_time(),
            "MsgType": msg_type,
        }
        fields.update(extra)
        if msg_type != "event" and "MsgId" not in fields:
            fields["MsgId"] = random.randrange(10**18, 10**19)
        return fields

    def sign(
        self, xml: str, timestamp: str | None = None, nonce: str | None = None
    ) -> tuple[dict[str, str], bytes]:
        """Query parameters and body for one callback, in this simulator's mode."""
        timestamp = timestamp or str(int(self.clock()))
        nonce = nonce or str(secrets.randbelow(10**10))
        params = {
            "signature": signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        if self._crypto is None:
            return params, xml.encode("utf-8")
        wrapped = xmltodict.parse(self._crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        params.update(encrypt_type="aes", msg_signature=wrapped["MsgSignature"])
        outer = f"<ToUserName><![CDATA[{self.account}]]></ToUserName><Encrypt><![CDATA[{wrapped['Encrypt']}]]></Encrypt>"
        if self.mode == "compatible":  # plaintext fields travel alongside the ciphertext
            outer = (
                xml[len("<xml>") : -len("</xml>")] + f"<Encrypt><![CDATA[{wrapped['Encrypt']}]]></Encrypt>"
            )
        return params, f"<xml>{outer}</xml>".encode()

    # ---- sending ----------------------------------------------------------------------------------

    def post(self, params: dict[str, str], body: bytes) -> SimReply:
        response = self._http.post(
            self.webhook_url,
            params=params,
            data=body,
            headers={"Content-Type": "text/xml"},
            timeout=self.timeout,
        )
        return SimReply(response.status_code, response.text, self._reply_text(response, params))

    def _reply_text(self, response: requests.Response, params: dict[str, str]) -> str | None:
        if response.status_code != 200 or not response.text.startswith("<xml"):
            return None
        xml = response.text
        if self._crypto is not None:
            outer = xmltodict.parse(xml)["xml"]
            xml = self._crypto.decrypt_message(xml, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        return xmltodict.parse(xml)["xml"].get("Content")

    def _report(self, openid: str, kind: str, grant_id: str | int) -> None:
        if self.stub_url:
            body = {"openid": openid, "kind": kind, "grant_id": str(grant_id)}
            self._http.post(
                f"{self.stub_url}/stub/interactions", json=body, timeout=self.timeout
            ).raise_for_status()

    def build(
        self, openid: str, msg_type: str, window: str | None = "message", **extra: str | int
    ) -> tuple[dict[str, str], bytes]:
        """One signed callback (query, body) for a user action, reported to the stand-in's window."""
        fields = self.message_fields(openid, msg_type, **extra)
        if window:
            self._report(openid, window, fields.get("MsgId") or fields["CreateTime"])
        params, body = self.sign(_xml(fields))
        # WeChat names the sender in the query too; a load balancer keeps one user on one replica by it
        return {**params, "openid": openid}, body

    def send(
        self, openid: str, msg_type: str, window: str | None = "message", **extra: str | int
    ) -> SimReply:
        return self.post(*self.build(openid, msg_type, window, **extra))

    def text(self, openid: str, content: str) -> SimReply:
        return self.send(openid, "text", Content=content)

    def voice(self, openid: str, recognition: str) -> SimReply:
        return self.send(openid, "voice", MediaId="media_voice_1", Format="amr", Recognition=recognition)

    def image(self, openid: str) -> SimReply:
        return self.send(openid, "image", PicUrl="http://mmbiz.qpic.cn/demo.jpg", MediaId="media_image_1")

    def location(self, openid: str) -> SimReply:
        fields = {"Location_X": "39.96", "Location_Y": "116.46", "Scale": 15, "Label": "北京市朝阳区"}
        return self.send(openid, "location", **fields)

    def link(self, openid: str) -> SimReply:
        return self.send(openid, "link", Title="链接", Description="说明", Url="https://example.com/")

    def subscribe(self, openid: str) -> SimReply:
        return self.send(openid, "event", window="subscribe", Event="subscribe")

    def unsubscribe(self, openid: str) -> SimReply:
        return self.send(openid, "event", window=None, Event="unsubscribe")

    def click(self, openid: str, key: str) -> SimReply:
        return self.send(openid, "event", window="click", Event="CLICK", EventKey=key)

    def verify_url(self, echostr: str) -> requests.Response:
        """The GET WeChat sends when the server URL is saved in the admin console."""
        timestamp, nonce = str(int(self.clock())), str(secrets.randbelow(10**10))
        params = {
            "signature": signature(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        return self._http.get(self.webhook_url, params={**params, "echostr": echostr}, timeout=self.timeout)
