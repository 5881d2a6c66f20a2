"""Waves of the reverse-mentoring programme and who takes part in each, on which side."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, UniqueConstraint

from app.db import Model, enum_type
from app.timeutil import utc_now


class WaveState(StrEnum):
    questionnaire = "questionnaire"
    matching = "matching"
    active = "active"
    closed = "closed"


class Side(StrEnum):
    mentor = "mentor"
    mentee = "mentee"


class Wave(Model, table=True):
    """One round of the programme: its own people, rules and weights, from questionnaires to closing."""

    __tablename__ = "mentoring_wave"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    state: WaveState = Field(default=WaveState.questionnaire, sa_type=enum_type(WaveState))
    planned_meetings: int = 8
    same_department_allowed: bool = False
    weights: dict[str, float] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)


class WaveParticipant(Model, table=True):
    """Being a mentor or a mentee belongs to a wave, not to the person for ever; the answers come with it.

    `scores` holds, per module slug (a topic of the course), the mentee's need or the mentor's strength, 0 to 5.
    """

    __tablename__ = "mentoring_participant"
    __table_args__ = (UniqueConstraint("wave_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    wave_id: int = Field(foreign_key="mentoring_wave.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    side: Side = Field(sa_type=enum_type(Side))
    languages: list[str] = Field(sa_column=Column(JSON, nullable=False))
    capacity: int = 1
    scores: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    availability: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    training_confirmed_at: datetime | None = None
    answered_at: datetime = Field(default_factory=utc_now)
