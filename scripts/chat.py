"""Talk to the running assistant in a terminal, through its REST channel (`make chat`).

Buttons are shown numbered: type the number to press one. Ctrl-D or “/exit” ends.
"""

from __future__ import annotations

import os
import sys
import uuid

import requests

URL = os.environ.get("RASA_URL", "http://127.0.0.1:5005") + "/webhooks/rest/webhook"


def show(replies: list[dict]) -> list[dict]:
    buttons: list[dict] = []
    for reply in replies:
        if reply.get("text"):
            print(f"助手：{reply['text']}")
        for button in reply.get("buttons") or []:
            buttons.append(button)
            print(f"   [{len(buttons)}] {button['title']}")
    return buttons


def main() -> None:
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    print(f"已连接 {URL}（会话 {sender}）。输入文字聊天，按数字选择按钮，/exit 退出。")
    buttons: list[dict] = []
    while True:
        try:
            text = input("您：").strip()
        except EOFError:
            break
        if text == "/exit":
            break
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            reply = requests.post(URL, json={"sender": sender, "message": text}, timeout=30)
            reply.raise_for_status()
        except requests.RequestException as exc:
            print(f"（连接助手失败：{exc}；请确认 make run 正在运行）", file=sys.stderr)
            continue
        buttons = show(reply.json())


if __name__ == "__main__":
    main()
