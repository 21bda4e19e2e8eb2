"""Notifications: the task the service hands its writes to, and where notifications go.

The task is a plain function of its message and a `Notifier`: tests call it directly, and
whatever runs it (after the response, or on a worker) only supplies the notifier.
"""

import logging
from typing import Protocol

logger = logging.getLogger(__name__)

# A notification is one line of text; a longer one is cut here rather than refused.
MAX_MESSAGE_LENGTH = 500


class Notifier(Protocol):
    """Delivers a notification: by e-mail, to a webhook or a chat channel, onto a message bus."""

    async def send(self, message: str) -> None: ...


class LoggingNotifier:
    """Writes each notification to the log: the stand-in until a real channel replaces it."""

    async def send(self, message: str) -> None:
        logger.info("Notification: %s", message)


async def send_notification(message: str, notifier: Notifier) -> None:
    """Deliver `message` as one line. A failure propagates, so the caller can retry or log it."""
    await notifier.send(one_line(message))


def one_line(message: str) -> str:
    """`message` without line breaks or surrounding blanks, at most MAX_MESSAGE_LENGTH long."""
    text = " ".join(message.split())
    if len(text) <= MAX_MESSAGE_LENGTH:
        return text
    return text[: MAX_MESSAGE_LENGTH - 3] + "..."
