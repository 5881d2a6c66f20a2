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
    """A version became live: a new one (`created`) or an earlier one again (`restored`); `substantive`
    names the lessons learners must read again, `quiz` whether they must retake the quiz."""

    action: ClassVar[str] = "module.published"
    version: int
    status: str
    substantive: tuple[str, ...] = ()
    quiz: bool = False


@dataclass(frozen=True)
class ModuleRejected(ModuleEvent):
    """An import of the module was refused; the live version did not change."""

    action: ClassVar[str] = "module.rejected"
    problems: int
    first_problem: str
