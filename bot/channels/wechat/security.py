"""The checks every WeChat callback passes before the bot sees it.

wechatpy's `check_signature` and `WeChatCrypto` compare signatures with `!=`, which leaks timing;
here every comparison is `hmac.compare_digest`, and only after it succeeds is wechatpy's AES code
(`PrpCrypto`) used to decrypt. XML is screened with defusedxml (no DTD, no entities, no external
references) before wechatpy's xmltodict-based parser ever sees it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException
from wechatpy.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException

from kernel.kv import KV


class RejectedRequest(Exception):
    """A callback we refuse; `status` and `reason` become the 4xx JSON answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sha1_signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the lexicographically sorted parts, concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison; a missing or non-ASCII signature never matches."""
    if not given:
        return False
    try:
        return hmac.compare_digest(expected.encode("ascii"), given.lower().encode("ascii"))
    except UnicodeEncodeError:
        return False


def check_url_signature(token: str, signature: str | None, timestamp: str, nonce: str) -> None:
    """The `signature` query parameter: covers token, timestamp and nonce (not the body)."""
    if not signature_matches(sha1_signature(token, timestamp, nonce), signature):
        raise RejectedRequest(403, "invalid signature")


def check_msg_signature(
    token: str, msg_signature: str | None, timestamp: str, nonce: str, encrypt: str
) -> None:
    """The `msg_signature` of safe and compatible modes: also covers the encrypted body."""
    if not signature_matches(sha1_signature(token, timestamp, nonce, encrypt), msg_signature):
        raise RejectedRequest(403, "invalid msg_signature")


def check_fresh(timestamp: str, now: float, window: float) -> None:
    """Refuse timestamps outside ±window seconds, so a captured request cannot be replayed later."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        raise RejectedRequest(400, "timestamp must be an integer") from None
    if abs(now - sent) > window:
        raise RejectedRequest(403, "stale timestamp")


class NonceGuard:
    """Remembers (timestamp, nonce) for twice the freshness window, shared through the KV store.

    In plaintext mode the signature does not cover the body, so reusing a captured query string with
    another body must fail. The same nonce with the *same* body is how a WeChat retry looks; it is let
    through, and message de-duplication then makes sure it starts no second turn.
    """

    def __init__(self, kv: KV, window: float) -> None:
        self._kv = kv
        self._ttl = 2 * window

    def check(self, timestamp: str, nonce: str, body: bytes) -> None:
        key = f"wechat:nonce:{timestamp}:{nonce}"
        digest = hashlib.sha256(body).hexdigest()
        if self._kv.set_if_absent(key, digest, ttl=self._ttl):
            return
        seen = self._kv.get(key)
        if seen is None or not hmac.compare_digest(seen, digest):
            raise RejectedRequest(403, "nonce already used")


def safe_xml(body: bytes | str) -> ET.Element:
    """Parse with every entity feature forbidden: a DOCTYPE alone is refused before it is expanded."""
    try:
        root = DET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ET.ParseError, ValueError):
        raise RejectedRequest(400, "malformed or unsafe XML") from None
    if root.tag != "xml":
        raise RejectedRequest(400, "root element must be <xml>")
    return root


def field(root: ET.Element, name: str) -> str:
    """Text of a direct child, '' when absent."""
    node = root.find(name)
    return (node.text or "") if node is not None else ""


def aes_key(encoding_aes_key: str) -> bytes:
    """The 43-character EncodingAESKey is base64 of a 32-byte AES key without its '=' padding."""
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("WECHAT_ENCODING_AES_KEY is not valid base64") from None
    if len(key) != 32:
        raise ValueError("WECHAT_ENCODING_AES_KEY must decode to 32 bytes (43 characters)")
    return key


def decrypt(key: bytes, app_id: str, encrypt: str) -> str:
    """Decrypt an `Encrypt` value; call only after `check_msg_signature` succeeded."""
    try:
        return PrpCrypto(key).decrypt(encrypt, app_id)
    except InvalidAppIdException:
        raise RejectedRequest(403, "message is for another AppID") from None
    except Exception:  # bad base64, padding or length: all mean "not from WeChat"
        raise RejectedRequest(400, "cannot decrypt Encrypt") from None


def encrypt_reply(
    token: str, key: bytes, app_id: str, xml: str, nonce: str, timestamp: str | None = None
) -> str:
    """Wrap a passive reply for safe mode, signed the way WeChat checks it."""
    timestamp = timestamp or str(int(time.time()))
    encrypted = PrpCrypto(key).encrypt(xml, app_id).decode("ascii")
    signature = sha1_signature(token, timestamp, nonce, encrypted)
    return (
        f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
        f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
    )
