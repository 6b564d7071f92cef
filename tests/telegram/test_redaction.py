"""The bot token never reaches a log line."""

from __future__ import annotations

import logging

import pytest

from bot.playground.platforms.telegram_server import FakeTelegramServer
from bot.telegram import TelegramMessenger
from bot.telegram.redaction import REDACTED, TokenRedactingFilter
from handlers.core.events import Attachment, AttachmentKind
from handlers.core.messenger import DeliveryError, PermanentError, TransientError
from storage.models import Platform


def test_the_filter_scrubs_messages_arguments_and_tracebacks() -> None:
    token = "42:secret-token"
    try:
        raise RuntimeError(f"GET https://api.telegram.org/file/bot{token}/x failed")
    except RuntimeError as error:
        record = logging.LogRecord(
            "aiogram.event", logging.ERROR, __file__, 1, "url %s", (f"/bot{token}/",), None
        )
        record.exc_info = (type(error), error, error.__traceback__)

    TokenRedactingFilter(token).filter(record)

    assert token not in record.getMessage()
    assert REDACTED in record.getMessage()
    assert record.exc_text is not None
    assert token not in record.exc_text


@pytest.mark.parametrize(("status", "expected"), [(404, PermanentError), (502, TransientError)])
async def test_a_failed_download_tells_no_token(
    server: FakeTelegramServer,
    messenger: TelegramMessenger,
    caplog: pytest.LogCaptureFixture,
    status: int,
    expected: type[DeliveryError],
) -> None:
    stored = server.add_file(b"data")
    attachment = Attachment(AttachmentKind.DOCUMENT, platform=Platform.TELEGRAM, ref=stored.file_id)
    server.download_status = status

    with caplog.at_level(logging.DEBUG), pytest.raises(expected) as caught:
        await messenger.download(attachment)

    assert str(status) in str(caught.value)
    assert server.token not in str(caught.value)
    assert caught.value.__cause__ is None
    assert server.token not in caplog.text
