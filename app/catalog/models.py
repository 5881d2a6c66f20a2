"""Modules and their immutable versions. A module points at the version learners see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, LargeBinary, Text
from sqlmodel import Field, UniqueConstraint

from app.db import Model
from app.events.models import RecordsActor
from app.timeutil import utc_now


class Module(Model, table=True):
    __tablename__ = "module"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, unique=True)
    current_version_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("module_version.id", use_alter=True, ondelete="SET NULL"),
            nullable=True,
        ),
    )
    last_version_number: int = Field(
        default=0,
        sa_column_kwargs={"server_default": "0"},
        description="counted up in one UPDATE per new version, so that concurrent drafts never share a number",
    )
    archived_at: datetime | None = None
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)


class ModuleVersion(RecordsActor, table=True):
    """One state of a module, a draft until published: its sources and rendering never change afterwards.

    Published and superseded versions have `published_at` (the last time they went live); a draft has none.
    """

    __tablename__ = "module_version"
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="module.id", index=True, ondelete="CASCADE")
    number: int
    content_hash: str = Field(max_length=64, index=True)
    source: str = Field(max_length=32, description="import, api or web")
    created_at: datetime = Field(default_factory=utc_now)
    published_at: datetime | None = None
    published_by: str | None = Field(default=None, max_length=240)
    manifest: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    quiz: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    job_aids: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False, server_default="{}"),
        description="language -> title and sanitized HTML of the module's printable page",
    )


class LessonPage(Model, table=True):
    """A lesson of a module version in one language, stored as sanitized HTML."""

    __tablename__ = "lesson_page"
    __table_args__ = (UniqueConstraint("version_id", "lesson_slug", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="module_version.id", ondelete="CASCADE")
    lesson_slug: str = Field(max_length=100)
    position: int
    language: str = Field(max_length=8)
    title: str = Field(max_length=300)
    html: str = Field(sa_column=Column(Text, nullable=False))
    toc: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    minutes: int
    word_count: int
    digcomp: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    objectives: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]"))


class ModuleMedia(Model, table=True):
    """An image of some module version, as served (SVG cleaned), keyed by the SHA-256 of those bytes.

    Shared by every version that uses the same image; never changed, so it is cached for a year.
    """

    __tablename__ = "module_media"

    sha256: str = Field(max_length=64, primary_key=True)
    content_type: str = Field(max_length=32)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class SubstantiveChange(Model, table=True):
    """A publish that asks learners to read a lesson again, or with `lesson_slug` "" to take the quiz again.

    It applies while the live version is this version or a later one: a record made on an earlier
    version no longer counts for progress, but it stays, with its version, in history and reports.
    """

    __tablename__ = "substantive_change"

    module_id: int = Field(foreign_key="module.id", primary_key=True, ondelete="CASCADE")
    lesson_slug: str = Field(max_length=100, primary_key=True)
    version_number: int = Field(primary_key=True)
    published_at: datetime = Field(default_factory=utc_now)
