"""A small client for the two WeChat server APIs the channel needs: access token and customer-service send.

Blocking (requests, with connect/read timeouts): call it from a worker thread in async code. The access
token is shared by every process through the KV store, because WeChat invalidates the previous token
five minutes after a new one is issued: processes that each fetched their own would knock each other
out. Only the process holding a short KV lock refreshes; the others wait for its result.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import requests

from kernel.kv import KV

logger = logging.getLogger(__name__)

TOKEN_EXPIRED = {40001, 40014, 42001}  # invalid / malformed / expired access_token
OUT_OF_WINDOW = {45015, 45047}  # response out of time limit / out of response count limit
REFRESH_MARGIN = 300.0  # refresh this long before expiry (WeChat's old-token grace period)


class WeChatApiError(Exception):
    """WeChat answered with a non-zero errcode (or not at all: errcode -1)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode}: {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatApi:
    """Access token (cached, refreshed, shared) and customer-service text messages."""

    def __init__(
        self,
        base_url: str,
        app_id: str,
        app_secret: str,
        kv: KV,
        clock: Callable[[], float] = time.time,
        timeout: tuple[float, float] = (3.05, 5.0),
        session: requests.Session | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._app_id = app_id
        self._secret = app_secret
        self._kv = kv
        self._clock = clock
        self._timeout = timeout
        self._http = session or requests.Session()

    @property
    def _token_key(self) -> str:
        return f"wechat:token:{self._app_id}"

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self._http.request(method, self._base + path, timeout=self._timeout, **kwargs)
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeChatApiError(-1, f"WeChat API unreachable: {type(exc).__name__}") from None
        errcode = int(data.get("errcode") or 0)
        if errcode:
            raise WeChatApiError(errcode, str(data.get("errmsg", "")))
        return data

    def _cached(self) -> tuple[str, float] | None:
        raw = self._kv.get(self._token_key)
        if not raw:
            return None
        item = json.loads(raw)
        return item["token"], float(item["expires_at"])

    def _fetch(self) -> str:
        params = {"grant_type": "client_credential", "appid": self._app_id, "secret": self._secret}
        data = self._call("GET", "/cgi-bin/token", params=params)
        token, expires_in = str(data["access_token"]), float(data.get("expires_in", 7200))
        item = {"token": token, "expires_at": self._clock() + expires_in}
        self._kv.set(self._token_key, json.dumps(item), ttl=expires_in)
        logger.info("wechat access token refreshed, valid for %ss", int(expires_in))
        return token

    def access_token(self, wait: float = 5.0) -> str:
        """A token valid for a while yet; refreshed by one process at a time, shortly before expiry."""
        deadline = time.monotonic() + wait
        while True:
            cached = self._cached()
            now = self._clock()
            if cached and now < cached[1] - REFRESH_MARGIN:
                return cached[0]
            lock = f"wechat:token-lock:{self._app_id}"
            if self._kv.set_if_absent(lock, "1", ttl=15):
                try:
                    return self._fetch()
                finally:
                    self._kv.delete(lock)
            if cached and now < cached[1]:
                return cached[0]  # someone is refreshing; the old token is still good meanwhile
            if time.monotonic() > deadline:
                raise WeChatApiError(-1, "timed out waiting for another process to refresh the token")
            time.sleep(0.05)

    def invalidate(self, token: str) -> None:
        """Forget `token` after WeChat rejected it (unless another process already replaced it)."""
        cached = self._cached()
        if cached and cached[0] == token:
            self._kv.delete(self._token_key)

    def send_text(self, openid: str, content: str) -> None:
        """Customer-service text message; a rejected token is refreshed and the send tried once more."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        for attempt in (1, 2):
            token = self.access_token()
            try:
                self._call(
                    "POST",
                    "/cgi-bin/message/custom/send",
                    params={"access_token": token},
                    data=payload,
                    headers=headers,
                )
                return
            except WeChatApiError as exc:
                if exc.errcode in TOKEN_EXPIRED and attempt == 1:
                    self.invalidate(token)
                    continue
                raise
