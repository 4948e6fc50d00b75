"""The embedded Celery broker: messages appear in the queue folder only once complete."""

import os

import pytest
from kombu import Connection

from project import broker


@pytest.fixture
def connection(tmp_path):
    for folder in ("queue", "control"):
        (tmp_path / folder).mkdir()
    options = {
        "data_folder_in": str(tmp_path / "queue"),
        "data_folder_out": str(tmp_path / "queue"),
        "control_folder": str(tmp_path / "control"),
        "store_processed": False,
    }
    with Connection("filesystem://", transport="project.broker:Transport", transport_options=options) as conn:
        yield conn


def test_message_invisible_while_written(connection, tmp_path, monkeypatch):
    seen_while_writing: list[list[str]] = []
    real_dumps = broker.dumps

    def dumps_and_look(payload):
        seen_while_writing.append(os.listdir(tmp_path / "queue"))
        return real_dumps(payload)

    monkeypatch.setattr(broker, "dumps", dumps_and_look)
    queue = connection.SimpleQueue("visible")
    queue.put({"n": 1})

    assert seen_while_writing, "the transport did not serialise through project.broker.dumps"
    assert not [name for name in seen_while_writing[0] if name.endswith(".msg")]
    assert [name for name in os.listdir(tmp_path / "queue") if name.endswith(".visible.msg")]


def test_message_round_trip(connection):
    # kombu keeps declared exchanges per transport class, so each test uses its own queue name.
    queue = connection.SimpleQueue("round_trip")
    queue.put({"n": 2})
    message = queue.get(timeout=1)
    assert message.payload == {"n": 2}
    message.ack()
    queue.close()
