"""A simulated WeChat user: talk to the running bot the way WeChat's servers would.

Each line you type is sent to the bot's WeChat webhook as WeChat sends it (signed, and AES-encrypted when
WECHAT_ENCODING_AES_KEY is set), built by wechatpy through services/wechat_stub/sim.py. Passive replies are
printed at once; answers that come later (a slow bot, a staff reply from the desk) arrive at the WeChat
stand-in's customer-service endpoint and are printed as they land.

    .venv/bin/python scripts/wechat_client.py                 # interactive
    .venv/bin/python scripts/wechat_client.py --say 你好 --say 怎么网上立案

Commands: ":voice 文字" (voice message with recognition), ":click CASE_PROGRESS|DEBTOR|CONTACT_JUDGE|HUMAN",
":subscribe", ":unsubscribe", ":image", ":location", ":link", ":quit". Anything else is a text message,
so Rasa payloads such as "/greet" and numbered choices such as "1" work as typed.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.wechat_stub import SimReply, WeChatServer  # noqa: E402

HELP = "输入文字聊天；:voice 文字 发语音，:click 菜单键 点菜单，:subscribe 关注，:image 发图片，:quit 退出。"


class CustomerServiceFeed:
    """Prints customer-service messages for one OpenID as they arrive at the stand-in."""

    def __init__(self, stub_url: str, openid: str) -> None:
        self.url = f"{stub_url.rstrip('/')}/stub/messages"
        self.openid = openid
        self.seen = 0
        messages = self._fetch()
        self.seen = messages[-1]["seq"] if messages else 0  # only what arrives from now on

    def _fetch(self) -> list[dict]:
        try:
            answer = requests.get(
                self.url, params={"touser": self.openid, "after": self.seen}, timeout=(2, 5)
            )
            return answer.json().get("messages", [])
        except (requests.RequestException, ValueError):
            return []

    def poll(self) -> int:
        """Print what is new; returns how many messages were printed."""
        messages = self._fetch()
        for message in messages:
            print(f"\n【客服消息】{message['content']}", flush=True)
            self.seen = message["seq"]
        return len(messages)

    def follow(self, stop: threading.Event) -> None:
        while not stop.wait(1.0):
            self.poll()


def show(reply: SimReply) -> None:
    if reply.status != 200:
        print(f"（公众号服务器拒绝了这条消息：HTTP {reply.status} {reply.body[:200]}）")
    elif reply.text:
        print(f"公众号：{reply.text}")
    else:
        print("（服务器已回复 success：答复稍后以客服消息送达）")


def send(wechat: WeChatServer, openid: str, line: str) -> SimReply | None:
    """One line of input as the matching WeChat message; None for ":quit"."""
    command, _, rest = line.partition(" ")
    actions = {
        ":voice": lambda: wechat.voice(openid, rest),
        ":click": lambda: wechat.click(openid, rest.strip().upper()),
        ":subscribe": lambda: wechat.subscribe(openid),
        ":unsubscribe": lambda: wechat.unsubscribe(openid),
        ":image": lambda: wechat.image(openid),
        ":location": lambda: wechat.location(openid),
        ":link": lambda: wechat.link(openid),
    }
    if command == ":quit":
        return None
    if command in actions:
        return actions[command]()
    return wechat.text(openid, line)


def parse_args() -> argparse.Namespace:
    rasa = os.environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bot", default=f"{rasa}/webhooks/wechat/webhook", help="the bot's WeChat webhook")
    parser.add_argument(
        "--stub", default=os.environ.get("WECHAT_API_BASE", "http://127.0.0.1:8030"), help="WeChat stand-in"
    )
    parser.add_argument(
        "--openid", default=f"oDemo{uuid.uuid4().hex[:23]}", help="the simulated user's OpenID"
    )
    parser.add_argument(
        "--mode", choices=["plaintext", "compatible", "safe"], help="default: safe if a key is set"
    )
    parser.add_argument("--say", action="append", default=[], help="send this text and exit (repeatable)")
    parser.add_argument(
        "--wait", type=float, default=8.0, help="with --say: seconds to wait for late answers"
    )
    return parser.parse_args()


def load_run_settings() -> None:
    """`make run` keeps its generated secrets in var/run.env: read them (and .env) unless already set."""
    root = Path(__file__).resolve().parents[1]
    for name in ("var/run.env", ".env"):
        path = root / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip() and not key.lstrip().startswith("#"):
                os.environ.setdefault(key.strip(), value.split(" #")[0].strip())


def main() -> int:
    load_run_settings()
    args = parse_args()
    token, app_id = os.environ.get("WECHAT_TOKEN", ""), os.environ.get("WECHAT_APP_ID", "")
    if not token or not app_id:
        print("请先设置 WECHAT_TOKEN 和 WECHAT_APP_ID（与机器人使用的相同，见 docs/wechat.md）。")
        return 2
    key = os.environ.get("WECHAT_ENCODING_AES_KEY", "")
    wechat = WeChatServer(args.bot, token, app_id, key, mode=args.mode, stub_url=args.stub)
    feed = CustomerServiceFeed(args.stub, args.openid)
    print(f"模拟微信用户 {args.openid}（{wechat.mode} 模式）→ {args.bot}")
    try:
        if args.say:
            return say_all(wechat, feed, args.openid, args.say, args.wait)
        return chat(wechat, feed, args.openid)
    except requests.RequestException as exc:
        print(f"连接失败：{type(exc).__name__}。机器人（{args.bot}）和微信替身（{args.stub}）都在运行吗？")
        return 1


def say_all(
    wechat: WeChatServer, feed: CustomerServiceFeed, openid: str, lines: list[str], wait: float
) -> int:
    for line in lines:
        print(f"您：{line}")
        reply = send(wechat, openid, line)
        if reply is not None:
            show(reply)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        feed.poll()
        time.sleep(0.5)
    return 0


def chat(wechat: WeChatServer, feed: CustomerServiceFeed, openid: str) -> int:
    print(HELP)
    stop = threading.Event()
    threading.Thread(target=feed.follow, args=(stop,), daemon=True).start()
    try:
        while True:
            try:
                line = input("您：").strip()
            except (EOFError, KeyboardInterrupt):
                break
            if not line:
                continue
            reply = send(wechat, openid, line)
            if reply is None:
                break
            show(reply)
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
