"""The production path for real: PostgreSQL tracker store and desk, Redis lock store and shared KV,
RabbitMQ event broker — and personal data masked in each of them."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.stack import PG_URL, Chat, last_code, production_env, start_stack

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis, pytest.mark.rabbitmq]


QUEUE = "court_assistant_events"
PERSON_ID = "11010519880615245X"
PHONE = "13900001001"


@pytest.fixture(scope="module")
def production(trained_model, tmp_path_factory):
    import pika
    import redis

    redis.Redis.from_url("redis://127.0.0.1:6379/3").flushdb()
    connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1"))
    channel = connection.channel()
    channel.queue_declare(QUEUE, durable=True)
    channel.queue_purge(QUEUE)
    connection.close()
    schema = f"desk_e2e_{uuid.uuid4().hex[:8]}"
    running = start_stack(
        trained_model,
        tmp_path_factory.mktemp("prod"),
        endpoints="endpoints.production.yml",
        extra_env=production_env(3, schema),
        pg_schema=(PG_URL, schema),
    )
    yield running
    running.stop()


def test_verified_lookup_on_real_engines_stores_only_masked_data(production):
    import pika
    import sqlalchemy

    chat = Chat(production.urls["rasa"], f"prod-{uuid.uuid4().hex[:8]}")
    chat.text("查案件进度")
    chat.text("（2026）京0105民初8848号")
    assert "验证码已发送" in chat.text(f"陈思远 {PERSON_ID}")
    code = last_code(production)
    assert "易泽俊" in chat.text(code)

    engine = sqlalchemy.create_engine(PG_URL)
    with engine.connect() as conn:
        rows = [
            r[0]
            for r in conn.execute(
                sqlalchemy.text("SELECT data FROM events WHERE sender_id = :s"), {"s": chat.sender}
            )
        ]
    stored = "\n".join(json.dumps(json.loads(row), ensure_ascii=False) for row in rows)
    assert rows and "查案件进度" in stored
    assert PERSON_ID not in stored and PHONE not in stored and f'"{code}"' not in stored

    connection = pika.BlockingConnection(pika.ConnectionParameters("127.0.0.1"))
    channel = connection.channel()
    published = []
    while True:
        method, _, body = channel.basic_get(QUEUE, auto_ack=True)
        if method is None:
            break
        event = json.loads(body)
        if event.get("sender_id") == chat.sender:
            published.append(body.decode())
    connection.close()
    assert published, "no events reached RabbitMQ"
    brokered = "\n".join(json.dumps(json.loads(body), ensure_ascii=False) for body in published)
    assert PERSON_ID not in brokered and PHONE not in brokered


def test_one_time_codes_and_locks_live_in_redis(production):
    import redis

    keys = redis.Redis.from_url("redis://127.0.0.1:6379/3", decode_responses=True).keys("*")
    assert keys, "the shared KV store wrote nothing to Redis"


def test_messages_sent_at_once_are_all_stored_in_the_order_sent(production):
    """Rasa's turns of one conversation go through our Redis lock store: none lost, none reordered."""
    import threading
    import time

    import sqlalchemy

    chat = Chat(production.urls["rasa"], f"burst-{uuid.uuid4().hex[:8]}")
    texts = [f"诉讼费怎么交 第{i}条" for i in range(1, 9)]
    threads = []
    for text in texts:
        threads.append(threading.Thread(target=chat.say, args=(text,)))
        threads[-1].start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(60)
    engine = sqlalchemy.create_engine(PG_URL)
    with engine.connect() as conn:
        rows = conn.execute(
            sqlalchemy.text(
                "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"
            ),
            {"s": chat.sender},
        )
        stored = [json.loads(row[0])["text"] for row in rows]
    assert stored == texts
