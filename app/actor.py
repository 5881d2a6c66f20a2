"""Who is acting: every use case that changes data is told, and the audit log keeps it."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    person = "person"
    token = "token"  # noqa: S105 - a kind of actor, not a secret
    cli = "cli"
    system = "system"
    anonymous = "anonymous"


@dataclass(frozen=True)
class Actor:
    """A signed-in person, an API token, the command line (with the OS user), the platform itself,
    or an anonymous visitor (known by address only, e.g. for a sign-in lock-out)."""

    kind: ActorKind
    label: str
    user_id: int | None = None
    token_id: int | None = None

    @classmethod
    def person(cls, user_id: int, employee_id: str) -> Actor:
        return cls(ActorKind.person, employee_id, user_id=user_id)

    @classmethod
    def token(cls, token_id: int, name: str) -> Actor:
        return cls(ActorKind.token, name, token_id=token_id)

    @classmethod
    def command_line(cls) -> Actor:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls(ActorKind.cli, user)

    @classmethod
    def system(cls, what: str) -> Actor:
        return cls(ActorKind.system, what)

    @classmethod
    def anonymous(cls, address: str) -> Actor:
        return cls(ActorKind.anonymous, address)

    def __str__(self) -> str:
        return f"{self.kind}:{self.label}"
