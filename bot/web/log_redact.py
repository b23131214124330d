"""Chat-link tokens kept out of the logs (security review M7).

A chat token sits in the URL path (/chat/<token>/history) and is a bearer credential for the conversation,
so every access-log line and error line that prints the path would hand it to whoever reads the logs.
A filter on the loggers that print paths rewrites it to /chat/[token] before any handler formats it."""

from __future__ import annotations

import logging
import re

CHAT_PATH = re.compile(r"/chat/[^/\s?#\"']+")
REDACTED = "/chat/[token]"
# uvicorn's access log, uvicorn's own errors, and the app's "unhandled error on <path>" lines.
LOGGERS = ("uvicorn.access", "uvicorn.error", "mediator.api")


def redact(text: str) -> str:
    return CHAT_PATH.sub(REDACTED, text)


class ChatTokenFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_log_redaction() -> None:
    """Idempotent: called when the app is built and again at start-up, after uvicorn configured logging."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ChatTokenFilter) for f in logger.filters):
            logger.addFilter(ChatTokenFilter())
