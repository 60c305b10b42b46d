"""Callback phones at rest: Fernet-encrypted, with keyed hashes for lookups (issue 10, item 7).

`work_orders.callback_phone` holds a Fernet token (cryptography), never the number. Beside it:
- `callback_phone_hash`: HMAC-SHA256 of the 11-digit number, so the citizen's lookup (number + phone)
  compares hashes in constant time without decrypting anything;
- `callback_phone_last4`: HMAC-SHA256 of its last four digits, so staff can search the queue by them;
- `callback_phone_masked`: the masked form shown everywhere (138****5678).
The number is decrypted only where a callback or an SMS needs it (`DeskStore.reveal_phone`, audited, and
`DeskStore.delivery_target`).

The key is DESK_PHONE_KEY (a Fernet key: `python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"`); it is required in production mode. In demo mode, when it is not
set, a key is generated once into a file of mode 0600: DESK_PHONE_KEY_FILE, or `desk_phone.key` next to a
SQLite database, or `var/desk_phone.key`. Losing the key loses the stored numbers. The lookup-hash key is
derived from the same key (HMAC-SHA256 with a fixed label), so one setting is enough.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.engine import make_url

from kernel.privacy import mask_phone

from ..settings import DeskSettings

KEY_FILE_NAME = "desk_phone.key"
#: What the desk shows for an order opened by a live handoff before the clerk has the citizen's phone.
NO_PHONE = "未留电话"
_HASH_LABEL = b"desk-callback-phone-lookup-v1"


class PhoneKeyError(RuntimeError):
    """The phone key is missing or unusable; the message says what to set."""


class PhoneVault:
    def __init__(self, key: bytes | str) -> None:
        raw = key.encode() if isinstance(key, str) else key
        try:
            self._fernet = Fernet(raw.strip())
            secret = base64.urlsafe_b64decode(raw.strip())
        except (ValueError, TypeError) as exc:
            raise PhoneKeyError("DESK_PHONE_KEY 不是有效的 Fernet 密钥（32字节 urlsafe base64）") from exc
        self._mac_key = hmac.new(secret, _HASH_LABEL, hashlib.sha256).digest()

    # ------------------------------------------------------------------ stored forms

    def encrypt(self, phone: str) -> str:
        return self._fernet.encrypt(phone.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise PhoneKeyError("回电号码无法解密：DESK_PHONE_KEY 与加密时使用的密钥不一致") from exc

    def digest(self, phone: str) -> str:
        """Keyed hash of the canonical 11-digit number (lookups)."""
        return hmac.new(self._mac_key, b"phone:" + phone.encode(), hashlib.sha256).hexdigest()

    def last4_digest(self, digits: str) -> str:
        """Keyed hash of the last four digits (queue search)."""
        return hmac.new(self._mac_key, b"last4:" + digits[-4:].encode(), hashlib.sha256).hexdigest()

    def columns(self, phone: str) -> dict[str, str]:
        """The four stored columns of a canonical phone number."""
        return {
            "callback_phone": self.encrypt(phone),
            "callback_phone_hash": self.digest(phone),
            "callback_phone_last4": self.last4_digest(phone),
            "callback_phone_masked": mask_phone(phone),
        }

    def no_phone_columns(self) -> dict[str, str]:
        """The stored columns of an order without a callback phone yet (a live handoff): the hashes are
        empty, which no keyed digest ever equals, so no citizen lookup can match it."""
        return {
            "callback_phone": self.encrypt(""),
            "callback_phone_hash": "",
            "callback_phone_last4": "",
            "callback_phone_masked": NO_PHONE,
        }

    # ------------------------------------------------------------------ the key

    @classmethod
    def from_settings(cls, settings: DeskSettings) -> PhoneVault:
        if settings.phone_key:
            return cls(settings.phone_key)
        if not settings.demo:
            raise PhoneKeyError("生产模式必须设置 DESK_PHONE_KEY（回电号码加密密钥）")
        return cls(_demo_key(key_file(settings)))


def key_file(settings: DeskSettings) -> Path:
    """Where the demo key lives: DESK_PHONE_KEY_FILE, next to a SQLite database, or var/."""
    if settings.phone_key_file:
        return Path(settings.phone_key_file)
    try:
        url = make_url(settings.database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).parent / KEY_FILE_NAME
    except Exception:  # noqa: BLE001 - not a URL (tests pass an engine): fall back to var/
        pass
    return Path("var") / KEY_FILE_NAME


def _demo_key(path: Path) -> bytes:
    """Read the demo key, or create it (mode 0600, never overwriting one another process just wrote)."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key
