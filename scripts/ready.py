"""Waits until every process of `make run` answers, then prints where to talk to the assistant."""

from __future__ import annotations

import os
import sys
import time

import requests

CHECKS = {
    "Rasa 服务": os.environ.get("RASA_URL", "http://127.0.0.1:5005") + "/",
    "动作服务": "http://127.0.0.1:5055/health",
    "法院数据参考服务": os.environ.get("COURT_API_URL", "http://127.0.0.1:8010") + "/health",
    "工单与工作台": os.environ.get("DESK_URL", "http://127.0.0.1:8020") + "/health",
    "微信接口模拟": os.environ.get("WECHAT_API_BASE", "http://127.0.0.1:8030") + "/stub/health",
}
BANNER = """
================ 法院诉讼服务智能助手 已启动 ================
  网页聊天        {rasa}/webhooks/webchat/
  终端聊天        make chat        （另开一个终端）
  REST 接口       POST {rasa}/webhooks/rest/webhook  {{"sender": "me", "message": "你好"}}
  模拟微信客户端  .venv/bin/python scripts/wechat_client.py "查案件进度"
  工作台（工作人员）{desk}/        演示账号见 README
  模拟短信收件箱  {desk}/dev/sms   （验证码短信；管理员登录后可见，终端 sms-phone 也会打印）
  法院数据接口    {court}/openapi.json
按 Ctrl-C 结束全部进程。
=============================================================
"""


def wait(name: str, url: str, deadline: float) -> bool:
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return True
        except requests.RequestException:
            pass
        time.sleep(1)
    print(f"!! {name} 未能启动：{url}", file=sys.stderr)
    return False


def main() -> None:
    deadline = time.time() + float(os.environ.get("READY_TIMEOUT", "240"))
    ok = all([wait(name, url, deadline) for name, url in CHECKS.items()])
    print(
        BANNER.format(
            desk=os.environ.get("DESK_URL", "http://127.0.0.1:8020"),
            rasa=os.environ.get("RASA_URL", "http://127.0.0.1:5005"),
            court=os.environ.get("COURT_API_URL", "http://127.0.0.1:8010"),
        )
        if ok
        else "部分服务未启动，请查看上面的日志。",
        flush=True,
    )
    while True:  # honcho stops everything when one process exits: stay alive
        time.sleep(3600)


if __name__ == "__main__":
    main()
