"""The embedded default's tracker store, built from the real endpoints.yml: SQLite under var/, masked, 0600.

A second store opened on the same file stands in for a restarted Rasa: what the first one saved must be
there. (tests/e2e/test_restart.py does the same with real Rasa processes and the web page's history.)
"""

from __future__ import annotations

import stat
from pathlib import Path

import yaml
from rasa.core.tracker_store import create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.private_files import private_file

ROOT = Path(__file__).resolve().parents[1]
RAW_ID = "11010519880615245X"
RAW_PHONE = "13900001001"


def embedded_store(db: Path, domain: Domain):
    """The tracker store of endpoints.yml, as Rasa builds it, with the SQLite file moved to `db`."""
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))["tracker_store"]
    assert config["db"] == "var/tracker.db"  # what `make run` uses (relative to the repository)
    config = dict(config, db=str(db))
    endpoint = EndpointConfig(url=config.pop("url", None), **config)
    return create_tracker_store(endpoint, domain)


async def test_conversation_survives_a_new_store_on_the_same_file(tmp_path):
    domain = Domain.from_path(str(ROOT / "domain.yml"))
    db = tmp_path / "var" / "tracker.db"  # the folder does not exist yet, like var/ on a fresh clone
    store = embedded_store(db, domain)
    tracker = DialogueStateTracker.from_events(
        "webchat:c1",
        [
            ActionExecuted("action_listen"),
            UserUttered(f"陈思远 {RAW_ID} 电话 {RAW_PHONE}", {"name": "inform"}),
            BotUttered("好的，请稍候"),
        ],
    )
    await store.save(tracker)

    restarted = embedded_store(db, domain)
    again = await restarted.retrieve_full_tracker("webchat:c1")
    texts = [e.text for e in again.events if isinstance(e, (UserUttered, BotUttered))]
    assert texts[1] == "好的，请稍候"
    assert "陈思远" in texts[0] and RAW_ID not in texts[0] and "110105********245X" in texts[0]
    assert "webchat:c1" in list(await restarted.keys())

    raw = db.read_bytes()
    assert RAW_ID.encode() not in raw and RAW_PHONE.encode() not in raw
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_a_wider_existing_file_is_narrowed(tmp_path):
    path = tmp_path / "tracker.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    private_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == b""  # never truncated


def _turn(tracker: DialogueStateTracker, text: str, answer: str) -> None:
    tracker.update(UserUttered(text, {"name": "faq"}))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))


async def _stored_texts(db: Path, domain: Domain, sender: str) -> list[str]:
    again = await embedded_store(db, domain).retrieve_full_tracker(sender)
    return [e.text for e in again.events if isinstance(e, (UserUttered, BotUttered))]


async def test_turns_are_stored_once_each_in_order_without_a_count_per_save(tmp_path):
    """A new conversation, then turns as Rasa runs them (retrieve → update → save): each event is stored
    exactly once (bot/sql_store.py inserts after the number read at the start of the turn)."""
    domain = Domain.from_path(str(ROOT / "domain.yml"))
    db = tmp_path / "tracker.db"
    store = embedded_store(db, domain)
    tracker = await store.create_tracker("rest:t1")
    assert await store.retrieve("rest:t1") is None  # a new tracker is stored with its first turn
    _turn(tracker, "诉讼费多少", "按标的额计算")
    await store.save(tracker)
    for text in ("法院几点上班", "在哪里"):
        tracker = await store.retrieve("rest:t1")
        _turn(tracker, text, "好的，答复如下")
        await store.save(tracker)
    assert await _stored_texts(db, domain, "rest:t1") == [
        "诉讼费多少",
        "按标的额计算",
        "法院几点上班",
        "好的，答复如下",
        "在哪里",
        "好的，答复如下",
    ]


async def test_a_tracker_the_store_did_not_read_is_still_stored_once(tmp_path):
    """A copy (as the HTTP API builds one) carries no stored count: Rasa's counting save is used."""
    domain = Domain.from_path(str(ROOT / "domain.yml"))
    db = tmp_path / "tracker.db"
    store = embedded_store(db, domain)
    tracker = await store.create_tracker("rest:t2")
    _turn(tracker, "第一句", "第一答")
    await store.save(tracker)
    copy = DialogueStateTracker.from_events("rest:t2", list((await store.retrieve("rest:t2")).events))
    _turn(copy, "第二句", "第二答")
    await store.save(copy)
    assert await _stored_texts(db, domain, "rest:t2") == ["第一句", "第一答", "第二句", "第二答"]


async def test_the_event_broker_gets_each_new_event_once(tmp_path):
    """With a broker (RabbitMQ in the cluster) only the turn's new events are published, masked."""
    domain = Domain.from_path(str(ROOT / "domain.yml"))
    store = embedded_store(tmp_path / "tracker.db", domain)
    published: list[dict] = []

    class Broker:
        def publish(self, event: dict) -> None:
            published.append(event)

    store.inner.event_broker = Broker()
    tracker = await store.create_tracker("rest:t3")
    _turn(tracker, f"我的身份证{RAW_ID}", "收到")
    await store.save(tracker)
    tracker = await store.retrieve("rest:t3")
    _turn(tracker, "谢谢", "不客气")
    await store.save(tracker)
    texts = [e.get("text") for e in published if e.get("event") in ("user", "bot")]
    assert texts == ["我的身份证110105********245X", "收到", "谢谢", "不客气"]
