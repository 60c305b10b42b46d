"""Reading a JSON request: the body must be one JSON object, or the answer is the usual 400."""

from __future__ import annotations

from typing import Any

from flask import request

from ..domain.validation import InvalidInput

MAX_BODY_BYTES = 1024 * 1024


def json_body() -> dict[str, Any]:
    """The request's JSON object, or InvalidInput."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("body", "请求内容应为 JSON 对象")
    return data


def bearer() -> str:
    """The token of an `Authorization: Bearer …` header, or ''."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""
