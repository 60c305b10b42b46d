"""kernel/sms_spool.py: a notification the gateway refuses is kept and sent later; a one-time code is not
kept (the citizen is told at once). A real spool file; the gateway is a stand-in that can be down."""

from __future__ import annotations

import stat
from dataclasses import dataclass, field

import pytest

from kernel.sms import SmsError
from kernel.sms_spool import FIRST_BACKOFF, SpoolingGateway, gateway_for


@dataclass
class Gateway:
    down: bool = False
    delivered: list[tuple[str, str, str]] = field(default_factory=list)

    def send(self, phone: str, text: str, purpose: str = "otp") -> str:
        if self.down:
            raise SmsError("gateway unreachable: ConnectionError")
        self.delivered.append((phone, text, purpose))
        return f"m{len(self.delivered)}"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(tmp_path):
    gateway, clock = Gateway(down=True), Clock()
    return gateway, clock, SpoolingGateway(gateway, tmp_path / "var" / "spool.jsonl", clock)


def test_a_code_that_cannot_be_sent_fails_at_once_and_is_not_kept(setup):
    gateway, _, spool = setup
    with pytest.raises(SmsError):
        spool.send("13900001001", "验证码123456", "otp")
    assert spool.pending() == []


def test_a_notification_is_kept_privately_and_sent_when_the_gateway_is_back(setup):
    gateway, clock, spool = setup
    assert spool.send("13900001001", "您的工单GD20261201-0001已答复", "workorder").startswith("spooled:")
    assert [e["phone"] for e in spool.pending()] == ["13900001001"]
    assert stat.S_IMODE(spool.path.stat().st_mode) == 0o600  # it holds phone numbers
    assert spool.retry_due() == 0  # not due yet
    gateway.down = False
    clock.now += FIRST_BACKOFF
    assert spool.retry_due() == 1 and spool.pending() == []
    assert gateway.delivered == [("13900001001", "您的工单GD20261201-0001已答复", "workorder")]
    assert spool.retry_due() == 0 and len(gateway.delivered) == 1  # sent once


def test_while_the_gateway_stays_down_the_wait_grows_and_nothing_is_dropped(setup, caplog):
    gateway, clock, spool = setup
    spool.send("13900001001", "工单已办结", "workorder")
    waits = []
    for _ in range(4):
        clock.now = spool.pending()[0]["next_at"]
        spool.retry_due()
        waits.append(spool.pending()[0]["next_at"] - clock.now)
    assert waits == sorted(waits) and waits[0] < waits[-1] and len(spool.pending()) == 1
    assert "SMS_UNDELIVERED" in caplog.text and "13900001001" not in caplog.text  # masked


def test_processes_sharing_one_spool_file_send_each_message_once(setup, tmp_path):
    gateway, clock, spool = setup
    other = SpoolingGateway(Gateway(down=True), spool.path, clock)  # another process, same file
    spool.send("13900001001", "甲", "workorder")
    other.send("13900001002", "乙", "alert")
    gateway.down = False
    clock.now += FIRST_BACKOFF
    assert spool.retry_due() == 2 and other.retry_due() == 0
    assert sorted(text for _, text, _ in gateway.delivered) == ["乙", "甲"]


@dataclass
class Values:
    sms_backend: str = "outbox"
    sms_outbox: str = ""
    sms_http_url: str = ""
    sms_http_key: str = ""
    sms_sign_name: str = "法院"
    sms_spool: str = ""


def test_the_spool_is_used_only_where_the_settings_name_one(tmp_path):
    assert not isinstance(gateway_for(Values(sms_outbox=str(tmp_path / "o.jsonl"))), SpoolingGateway)
    kept = gateway_for(Values(sms_outbox=str(tmp_path / "o.jsonl"), sms_spool=str(tmp_path / "s.jsonl")))
    assert isinstance(kept, SpoolingGateway)
