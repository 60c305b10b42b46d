"""Callback phones are encrypted at rest (issue 10, item 7): the database never holds the number, yet the
citizen's lookup, the staff search, the callback and the SMS still work."""

from __future__ import annotations

import os
import stat
from datetime import datetime

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from kernel.kv import MemoryKV
from kernel.sms import read_messages
from services.desk.app import create_app
from services.desk.db.engine import downgrade, migrate
from services.desk.db.models import Base, WorkOrder
from services.desk.db.phones import PhoneKeyError, PhoneVault
from services.desk.db.queries import OrderFilter
from services.desk.service.wiring import Wiring
from services.desk.settings import DeskSettings
from tests.desk.conftest import API_TOKEN, PASSWORD, PHONE_KEY
from tests.desk.helpers import new_order, order_payload

SERVICE = {"Authorization": f"Bearer {API_TOKEN}"}
PHONE = "13812345678"


def _raw_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text("SELECT * FROM work_orders")).mappings()]


def _app(settings, store):
    return create_app(settings, store, wiring=Wiring.from_settings(settings, store, kv=MemoryKV()))


def test_the_raw_database_never_holds_the_phone(settings, store):
    client = _app(settings, store).test_client()
    answer = client.post(
        "/api/v1/workorders", json=order_payload(callback_phone="+86 138-1234-5678"), headers=SERVICE
    )
    assert answer.status_code == 201
    [row] = _raw_rows(store.engine)
    assert all(PHONE not in str(value) and "12345678" not in str(value) for value in row.values())
    assert row["callback_phone_masked"] == "138****5678"
    assert PhoneVault(PHONE_KEY).decrypt(row["callback_phone"]) == PHONE
    with store.engine.connect() as conn:  # nor anything else the desk wrote
        for table in Base.metadata.sorted_tables:
            for values in conn.execute(select(table)).all():
                assert all(PHONE not in str(v) for v in values), table.name


def test_the_order_lookup_by_number_and_phone_still_works(client):
    number = client.post(
        "/api/v1/workorders", json=order_payload(callback_phone=PHONE), headers=SERVICE
    ).json["number"]
    found = client.post(
        "/api/v1/workorders/lookup", json={"number": number, "phone": "138 1234 5678"}, headers=SERVICE
    )
    assert found.status_code == 200 and found.json["phone"] == "138****5678"
    wrong = client.post(
        "/api/v1/workorders/lookup", json={"number": number, "phone": "13900000000"}, headers=SERVICE
    )
    assert wrong.status_code == 404


def test_the_sms_still_reaches_the_phone(settings, store):
    app = _app(settings, store)
    client = app.test_client()
    number = client.post(
        "/api/v1/workorders", json=order_payload(callback_phone=PHONE, channel="wechat"), headers=SERVICE
    ).json["number"]
    app.config["DESK_WIRING"].created_sms.flush()
    token = client.post("/api/v1/staff/login", json={"username": "clerk", "password": PASSWORD}).json["token"]
    staff = {"Authorization": f"Bearer {token}"}
    assert client.post(f"/api/v1/staff/workorders/{number}/claim", headers=staff).status_code == 200
    reply = client.post(
        f"/api/v1/staff/workorders/{number}/replies", json={"body": "下周二开庭"}, headers=staff
    )
    assert reply.status_code == 201
    messages = read_messages(settings.sms_outbox)
    assert [m.phone for m in messages] == [PHONE, PHONE]  # creation SMS and the reply
    assert number in messages[0].text and "下周二开庭" in messages[1].text


def test_staff_see_it_masked_and_the_full_number_only_on_reveal(store, actors):
    number = new_order(store, callback_phone=PHONE)["number"]
    assert store.get_order(actors["clerk"], number)["phone"] == "138****5678"
    assert store.list_orders(actors["clerk"], OrderFilter())["items"][0]["phone"] == "138****5678"
    assert store.reveal_phone(actors["clerk"], number) == PHONE
    assert store.delivery_target(number).phone == PHONE


@pytest.mark.parametrize("term", [PHONE, "+86 138 1234 5678", "5678"])
def test_the_queue_can_be_searched_by_phone_or_its_last_four_digits(store, actors, term):
    wanted = new_order(store, callback_phone=PHONE)["number"]
    new_order(store, callback_phone="13900001111")
    found = store.list_orders(actors["clerk"], OrderFilter(search=term))["items"]
    assert [o["number"] for o in found] == [wanted]


def test_the_migration_encrypts_existing_rows_and_downgrade_decrypts_them(fresh_engine):
    migrate(fresh_engine, "0003")
    now = datetime(2026, 12, 1, 8, 0)
    with fresh_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO work_orders (number, kind, channel, status, citizen_name, callback_phone, route, "
                "assignee_name, summary, transcript, first_contact_due, answer_due, overdue, created_at, updated_at, "
                "version) VALUES ('GD1', '人工咨询', 'web', '新建', '张三', :phone, 'pool', '接线员', 's', '[]', "
                ":now, :now, false, :now, :now, 1)"
            ),
            {"phone": PHONE, "now": now},
        )
    vault = PhoneVault(PHONE_KEY)
    migrate(fresh_engine, phone_vault=vault)
    [row] = _raw_rows(fresh_engine)
    assert PHONE not in row["callback_phone"] and vault.decrypt(row["callback_phone"]) == PHONE
    assert row["callback_phone_hash"] == vault.digest(PHONE) and row["callback_phone_masked"] == "138****5678"
    downgrade(fresh_engine, "0003", phone_vault=vault)
    assert _raw_rows(fresh_engine)[0]["callback_phone"] == PHONE


def test_demo_mode_generates_a_private_key_file_next_to_the_database(tmp_path):
    settings = DeskSettings(database_url=f"sqlite:///{tmp_path / 'desk.db'}")
    first = PhoneVault.from_settings(settings)
    path = tmp_path / "desk_phone.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = PhoneVault.from_settings(settings)
    assert again.decrypt(first.encrypt(PHONE)) == PHONE  # the same key on the next start


def test_production_needs_the_key_and_a_wrong_key_is_refused():
    with pytest.raises(PhoneKeyError):
        PhoneVault.from_settings(DeskSettings(demo=False))
    with pytest.raises(PhoneKeyError):
        PhoneVault("not-a-key")
    token = PhoneVault(PHONE_KEY).encrypt(PHONE)
    with pytest.raises(PhoneKeyError):
        PhoneVault(Fernet.generate_key()).decrypt(token)


def test_orm_rows_keep_only_the_token(store):
    new_order(store, callback_phone=PHONE)
    with store.sessions() as session:
        order = session.execute(select(WorkOrder)).scalar_one()
        assert order.callback_phone.startswith("gAAAA") and order.callback_phone_hash != PHONE
