import logging

import pytest

from bot.logs import RedactFilter

SECRET = "MTIz.secret-token.value"


def test_token_is_scrubbed_from_messages_args_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("test.redact")
    handler = caplog.handler
    handler.addFilter(RedactFilter([SECRET]))
    try:
        logger.error("token is %s", SECRET)
        try:
            raise ValueError(f"bad {SECRET}")
        except ValueError:
            logger.exception("failed")
    finally:
        handler.removeFilter(handler.filters[-1])
    assert SECRET not in caplog.text
    assert "[redacted]" in caplog.text
