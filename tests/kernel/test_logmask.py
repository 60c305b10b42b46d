"""kernel/logmask.py: ID and phone numbers never reach a log line in clear, wherever they are in the record.

Every assertion is on what a real `logging.StreamHandler` wrote, not on the record object.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from kernel import logmask

ID_NUMBER, ID_MASKED = "110105198806152451", "110105********2451"
PHONE, PHONE_MASKED = "13812345678", "138****5678"


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A private logger with a real handler (message and traceback) carrying the masking filter."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(logmask.MaskingFilter())
    logger = logging.getLogger(f"tests.logmask.{id(out)}")
    logger.propagate, logger.level = False, logging.DEBUG
    logger.addHandler(handler)
    yield logger, out
    logger.removeHandler(handler)


def _clear_of_raw(text: str) -> None:
    assert ID_NUMBER not in text and PHONE not in text


def test_numbers_in_the_message_are_masked(written) -> None:
    logger, out = written
    logger.info(f"lookup for {ID_NUMBER}, callback {PHONE}")
    assert out.getvalue() == f"INFO lookup for {ID_MASKED}, callback {PHONE_MASKED}\n"


def test_numbers_in_the_args_are_masked(written) -> None:
    logger, out = written
    logger.warning("slot %s=%r phone %s", "cp_identity", ID_NUMBER, PHONE)
    assert out.getvalue() == f"WARNING slot cp_identity='{ID_MASKED}' phone {PHONE_MASKED}\n"


def test_numbers_in_dict_args_are_masked(written) -> None:
    logger, out = written
    logger.debug("tracker %(slots)s", {"slots": {"phone": PHONE}})
    assert out.getvalue() == f"DEBUG tracker {{'phone': '{PHONE_MASKED}'}}\n"


def test_numbers_in_an_exceptions_text_are_masked(written) -> None:
    logger, out = written
    try:
        raise ValueError(f"no party {ID_NUMBER} with phone {PHONE}")
    except ValueError:
        logger.exception("verification failed for %s", PHONE)
    text = out.getvalue()
    _clear_of_raw(text)
    assert f"verification failed for {PHONE_MASKED}" in text
    assert f"ValueError: no party {ID_MASKED} with phone {PHONE_MASKED}" in text and "Traceback" in text


def test_text_without_numbers_is_left_alone(written) -> None:
    logger, out = written
    logger.info("case %s: %d nodes", "(2026)京03民初1号", 3)
    assert out.getvalue() == "INFO case (2026)京03民初1号: 3 nodes\n"


def test_a_malformed_log_call_does_not_break_the_filter() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "two %s %s", ("only one",), None)
    assert logmask.MaskingFilter().filter(record) is True  # logging itself then reports the bad call
    assert (record.msg, record.args) == ("two %s %s", ("only one",))


def test_install_masks_every_logger_of_the_process(monkeypatch) -> None:
    """After install(), a child logger with its own plain handler writes masked lines too (record factory)."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "filters", list(root.filters))
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    saved = logging.getLogRecordFactory()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    child = logging.getLogger("tests.logmask.child")
    child.propagate, child.level = False, logging.INFO
    child.addHandler(handler)
    try:
        logmask.install()
        logmask.install()  # a second install does not wrap the factory twice
        assert getattr(logging.getLogRecordFactory(), "_court_masking", False)
        child.info("callback %s for %s", PHONE, ID_NUMBER)
    finally:
        logging.setLogRecordFactory(saved)
        child.removeHandler(handler)
    assert out.getvalue() == f"callback {PHONE_MASKED} for {ID_MASKED}\n"
