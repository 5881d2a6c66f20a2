"""The sources of every module version, kept so that versions can be diffed, re-rendered and downloaded."""

from __future__ import annotations

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field

from app.db import Model


class ModuleVersionFile(Model, table=True):
    """One file of a version as it arrived (markdown, quiz, image), byte for byte."""

    __tablename__ = "module_version_file"

    version_id: int = Field(foreign_key="module_version.id", primary_key=True, ondelete="CASCADE")
    path: str = Field(max_length=300, primary_key=True)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
