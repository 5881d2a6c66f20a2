"""Which consumer carries out each outbox topic, for `cooc worker` and the embedded worker.

Domains add their consumers here as they gain side effects (e-mail, xAPI statements); a topic
without a consumer stays pending, so a worker of an older release never dead-letters it.
"""

from __future__ import annotations

from app.config import Settings
from app.events.worker import Consumer


def outbox_consumers(settings: Settings) -> dict[str, Consumer]:
    """No domain sends anything outside the database yet: e-mail and xAPI arrive with their issues."""
    return {}
