"""A logging filter that masks ID and phone numbers in every log record of a process.

Rasa and rasa-sdk log message texts and slot values at debug level; our own code logs lookups.
Installing this filter on the root handlers of each process (see bot/cli.py) keeps raw personal
data out of every log line, whoever wrote the log call.
"""

from __future__ import annotations

import logging

from kernel.privacy import mask_text
from kernel.text import escape_controls

_FORMATTER = logging.Formatter()


class MaskingFilter(logging.Filter):
    """Rewrites the record's message with `mask_text`, once, and drops the args."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call must not break logging
            return True
        masked = escape_controls(mask_text(message))  # one record, one line: no forged lines
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # a handler's Formatter renders the traceback only after the filters ran: render it here, once,
            # so the exception's text (str(exc) often holds the ID or phone) is masked like the message
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


def install() -> None:
    """Attach the filter to the root logger and to every handler that exists now."""
    root = logging.getLogger()
    flt = MaskingFilter()
    root.addFilter(flt)
    for handler in root.handlers:
        handler.addFilter(flt)
    logging.setLogRecordFactory(_masking_factory(logging.getLogRecordFactory()))


def _masking_factory(base):
    """Records created anywhere (child loggers propagate past root filters) are masked at birth."""

    def factory(*args, **kwargs):
        record = base(*args, **kwargs)
        MaskingFilter().filter(record)
        return record

    factory._court_masking = True
    return base if getattr(base, "_court_masking", False) else factory
