"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), which can refuse its first messages."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage, Message

from aiosmtpd.controller import Controller


class SmtpInbox:
    """Keeps what it accepts; answers 421 (try again later) to the first `refuse_first` messages."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.refuse = refuse_first
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.refuse:
            self.refuse -= 1
            return "421 4.3.2 Service not available, try again later"
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_smtp_server(refuse_first: int = 0) -> Iterator[tuple[SmtpInbox, int]]:
    handler = SmtpInbox(refuse_first)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def text_of(message: Message) -> str:
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())
