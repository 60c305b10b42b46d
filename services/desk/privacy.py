"""Masking and phone canonicalisation, borrowed from the bot's modules.

The project's single implementations are `bot/privacy.py` (mask_phone, mask_text) and
`bot/nlu/phone.py` (canonical_phone); other engineers write them. Until they exist this module falls back to
local copies of the same conventions (`138****5678`, `110105********1234`, 11 ASCII digits). Remove the
fallbacks once those modules are in the tree.
"""

from __future__ import annotations

import re

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def _fallback_mask_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def _fallback_mask_text(text: str) -> str:
    text = _ID.sub(lambda m: f"{m.group(1)}********{m.group(3)[-4:]}", text or "")
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


def _fallback_canonical_phone(text: str) -> str | None:
    digits = re.sub(r"[\s\-()（）]", "", text.translate(str.maketrans("０１２３４５６７８９＋", "0123456789+")))
    digits = re.sub(r"^(?:\+?86|0086)(?=1[3-9]\d{9}$)", "", digits)
    return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None


try:  # pragma: no cover - depends on what is in the tree
    from bot.privacy import mask_phone, mask_text  # type: ignore[attr-defined]
except ImportError:  # bot/privacy.py not written yet
    mask_phone = _fallback_mask_phone
    mask_text = _fallback_mask_text

try:  # pragma: no cover - depends on what is in the tree
    from bot.nlu.phone import canonical_phone
except ImportError:
    canonical_phone = _fallback_canonical_phone

__all__ = ["mask_phone", "mask_text", "canonical_phone"]
