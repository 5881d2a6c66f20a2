"""What the mentoring programme tells the audit log. Never a questionnaire answer or a note."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.events.service import DomainEvent


@dataclass(frozen=True)
class WaveEvent(DomainEvent):
    wave: str

    @property
    def subject(self) -> str:
        return f"wave:{self.wave}"


@dataclass(frozen=True)
class WaveCreated(WaveEvent):
    action: ClassVar[str] = "wave.created"
    planned_meetings: int
    same_department_allowed: bool


@dataclass(frozen=True)
class WaveAnswersImported(WaveEvent):
    action: ClassVar[str] = "wave.answers_imported"
    people: int


@dataclass(frozen=True)
class TrainingConfirmed(WaveEvent):
    """An admin recorded that the mentor attended the classroom training: they may now be matched."""

    action: ClassVar[str] = "wave.training_confirmed"
    employee_id: str
