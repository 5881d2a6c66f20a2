"""What publishing tells the audit log (a version going live is catalog's `module.published`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.catalog.events import ModuleEvent


@dataclass(frozen=True)
class DraftSaved(ModuleEvent):
    """New content for a module was checked and stored as a version; learners do not see it until it is published."""

    action: ClassVar[str] = "module.draft_saved"
    version: int
    source: str
    content_hash: str


@dataclass(frozen=True)
class ModuleArchived(ModuleEvent):
    """The module left the catalog (or came back, `archived` false); its completions stay in reports."""

    action: ClassVar[str] = "module.archived"
    archived: bool
