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
