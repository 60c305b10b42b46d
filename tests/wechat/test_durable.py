"""Durable WeChat turns: a process that dies between accepting a message and answering it costs the
citizen neither the answer nor a second copy of it. A "process" is a channel behind its own server;
`server.kill()` stops its event loop where it stands, as kill -9 would."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import replace

import pytest
import requests
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.channels.wechat.queue import Turn
from bot.channels.wechat.queue_sqlite import SqliteTurnQueue
from bot.channels.wechat.turns import answer_in_tracker
from kernel.kv import MemoryKV
from tests.wechat.conftest import FakeBot

OPENID = "oCitizen0000000000000000042"
IDLE = 0.5  # WECHAT_QUEUE_IDLE of these processes (heartbeat every 0.2 s)


def _wait_until(condition, limit: float = 10.0) -> None:
    """Poll (not a timing assertion: it only bounds how long a broken test hangs)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.02)


def _delivered(rig, openid: str = OPENID) -> list[str]:
    return [m["content"] for m in rig.stub.store.delivered(openid)]


def _restarted(make_rig, **settings):
    """A new process on the same host: same queue file, an empty in-process KV, its worker running."""
    rig = make_rig("safe", kv_store=MemoryKV(), queue_idle=IDLE, **settings)
    rig.server.run(rig.channel.start_worker(rig.bot))
    return rig


def test_a_slow_turn_is_on_disk_before_wechat_hears_success(make_rig, queue_path):
    gate = threading.Event()
    rig = make_rig("safe", bot=FakeBot(gate=gate), reply_budget=0.2)
    params, body = rig.wechat.build(OPENID, "text", Content="查询案件进度", MsgId=7001)
    assert rig.wechat.post(params, body).body == "success"
    queued = SqliteTurnQueue(queue_path).find("msg:7001")  # what a restarted process would find
    assert queued is not None and queued.turn.text == "查询案件进度"
    gate.set()
    _wait_until(lambda: rig.bot.finished == 1)
    rig.server.drain()
    assert _delivered(rig) == ["收到：查询案件进度"]
    assert SqliteTurnQueue(queue_path).find("msg:7001") is None  # answered: nothing left to redo


def test_the_answer_of_a_process_killed_after_success_arrives_once(make_rig):
    dying = make_rig("safe", bot=FakeBot(gate=threading.Event()), reply_budget=0.2, queue_idle=IDLE)
    assert dying.wechat.text(OPENID, "我的案子到哪一步了").body == "success"
    dying.server.kill()  # before the bot answered
    restarted = _restarted(make_rig)
    _wait_until(lambda: _delivered(restarted) != [])
    restarted.server.drain()
    time.sleep(3 * IDLE)  # long enough for any second reclaim
    restarted.server.drain()
    assert _delivered(restarted) == ["收到：我的案子到哪一步了"]
    assert restarted.bot.texts == ["我的案子到哪一步了"]


def test_a_part_sent_before_the_crash_is_not_sent_again(make_rig, stub, clock, queue_path):
    dead = SqliteTurnQueue(queue_path)
    turn = Turn("7003", OPENID, "长问题", "wechat-7003", {}, "message", "7003", clock())
    requests.post(
        f"{stub.url}/stub/interactions",
        json={"openid": OPENID, "kind": "message", "grant_id": "7003"},
        timeout=5,
    ).raise_for_status()
    entry = dead.put(turn)
    assert entry is not None
    dead.record_answer(entry, ["第一部分", "第二部分"])
    dead.record_sent(entry, 1)  # it died after sending the first part
    restarted = _restarted(make_rig)
    _wait_until(lambda: _delivered(restarted) != [])
    restarted.server.drain()
    assert _delivered(restarted) == ["第二部分"]
    assert restarted.bot.texts == []  # the answer was on record: no second turn


@pytest.mark.parametrize("answered", [False, True], ids=["before-the-answer", "after-the-answer"])
def test_a_retry_after_the_process_died_gets_a_passive_reply(make_rig, queue_path, answered):
    gate = threading.Event()
    dying = make_rig("safe", bot=FakeBot(gate=gate), reply_budget=30, queue_idle=IDLE)
    dying.server.run(dying.channel.start_worker(dying.bot))
    params, body = dying.wechat.build(OPENID, "text", Content="你好", MsgId=7004)

    def first_delivery() -> None:
        try:
            dying.wechat.post(params, body)
        except requests.RequestException:
            pass  # the process died with the connection open

    threading.Thread(target=first_delivery, daemon=True).start()
    _wait_until(lambda: dying.bot.texts == ["你好"])
    if answered:  # the answer was computed and recorded, the passive reply never left
        queue = SqliteTurnQueue(queue_path)
        entry = queue.find("msg:7004")
        assert entry is not None
        queue.record_answer(entry, ["收到：你好"])
    dying.server.kill()
    # Another replica (sharing the KV store, as with Redis) whose worker would reclaim the turn only
    # after 3 s, and takes it over for a retry once idle for two of its heartbeats (1.2 s): WeChat's
    # retry comes 5 s after the first delivery, when the dead process's heartbeat (0.6 s) has lapsed.
    other = make_rig("safe", reply_budget=3, queue_idle=3.0)
    time.sleep(1.5)
    retry = other.wechat.post(params, body)
    other.server.drain()
    assert retry.text == "收到：你好"
    assert other.bot.texts == ([] if answered else ["你好"])
    assert _delivered(other) == []  # the passive reply was the answer: no extra message


def test_the_tracker_tells_whether_a_stopped_process_finished_the_turn():
    store = InMemoryTrackerStore(Domain.empty())
    tracker = DialogueStateTracker(OPENID, [])
    tracker.update(UserUttered("查进度", message_id="wechat-1"))
    tracker.update(BotUttered("请提供案号", data={"buttons": [{"title": "返回", "payload": "/back"}]}))
    tracker.update(UserUttered("下一句", message_id="wechat-2"))
    asyncio.run(store.save(tracker))
    done = Turn("1", OPENID, "查进度", "wechat-1", {})
    missing = Turn("3", OPENID, "另一句", "wechat-3", {})
    found = asyncio.run(answer_in_tracker(store, done))
    assert found == [{"text": "请提供案号", "buttons": [{"title": "返回", "payload": "/back"}]}]
    assert asyncio.run(answer_in_tracker(store, missing)) is None


class BrokenQueue(SqliteTurnQueue):
    """A queue whose disk (or Redis) refuses writes until `fixed` is set."""

    fixed = False

    def put(self, turn):
        if not self.fixed:
            raise OSError("disk I/O error")
        return super().put(turn)


def test_a_turn_that_could_not_be_queued_is_refused_so_that_wechat_retries(make_rig, queue_path):
    queue = BrokenQueue(queue_path)
    rig = make_rig("safe", queue=queue)
    params, body = rig.wechat.build(OPENID, "text", Content="你好", MsgId=7005)
    refused = rig.wechat.post(params, body)
    assert refused.status == 503 and rig.bot.texts == []  # never "success" for a turn not on disk
    queue.fixed = True
    retry = rig.wechat.post(params, body)  # WeChat sends it again
    assert retry.text == "收到：你好"


def test_a_message_that_keeps_killing_its_process_is_given_up_with_a_log_line(
    make_rig, clock, queue_path, caplog
):
    dead = SqliteTurnQueue(queue_path)
    turn = Turn("7006", OPENID, "致命的一句", "wechat-7006", {}, "message", "7006", clock())
    entry = dead.put(turn)
    assert entry is not None
    restarted = make_rig("safe", kv_store=MemoryKV(), queue_idle=30)  # its own reclaim comes later
    with caplog.at_level("ERROR"):
        restarted.server.run(restarted.channel.worker.recover(replace(entry, attempts=6), restarted.bot))
    assert "WECHAT_TURN_ABANDONED" in caplog.text
    assert restarted.bot.texts == [] and dead.find("7006") is None
