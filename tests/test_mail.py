"""collector.mail's run of claimed messages: each written before it is claimed, so one
that cannot be written is refused and left unclaimed, and the others still go."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

import pytest

from collector import mail


class FakeSmtp:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send_message(self, message: EmailMessage) -> None:
        self.sent.append(message)


def test_a_message_that_cannot_be_written_is_refused_unclaimed(monkeypatch: Any) -> None:
    smtp = FakeSmtp()

    @contextmanager
    def connection(_config: Any) -> Iterator[FakeSmtp]:
        yield smtp

    monkeypatch.setattr(mail, "smtp_connection", connection)
    claimed: list[str] = []
    titles = {"bad": "Мониторинг\nBcc: all@example.org", "good": "Мониторинг 2026"}

    def compose(item: str) -> EmailMessage:
        subject = f"Рекомендации: {titles[item]}"
        return mail.plain_message("collector@example.org", "a@example.org", subject, ["."])

    def claim(item: str) -> str:
        claimed.append(item)
        return item

    sent, refused = mail.send_claimed({}, ["bad", "good"], claim, claimed.remove, compose)
    assert sent == ["good"] and claimed == ["good"]
    assert [item for item, _why in refused] == ["bad"]
    assert [m["Subject"] for m in smtp.sent] == ["Рекомендации: Мониторинг 2026"]
    with pytest.raises(ValueError):
        compose("bad")  # what the run met
