"""What the catalog tells the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.events.service import DomainEvent


@dataclass(frozen=True)
class ModuleEvent(DomainEvent):
    slug: str

    @property
    def subject(self) -> str:
        return f"module:{self.slug}"


@dataclass(frozen=True)
class ModulePublished(ModuleEvent):
    """A version became live: a new one (`created`) or an earlier one again (`restored`)."""

    action: ClassVar[str] = "module.published"
    version: int
    status: str


@dataclass(frozen=True)
class ModuleRejected(ModuleEvent):
    """An import of the module was refused; the live version did not change."""

    action: ClassVar[str] = "module.rejected"
    problems: int
    first_problem: str
