"""A learner's DigComp profile: the course's target per competence and the level they reached.

A learner reaches a competence at a level when they complete a module that builds it at that
level; their level is the highest such level. Taking the self-assessment is itself competence 5.4
(identifying one's own digital competence gaps) at foundation level 2, for every learner. The
target for a competence is the highest level any module they can see aims at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.catalog.digcomp import Competence, load_framework
from app.catalog.service import PublishedModule, Versions
from app.db import table_of
from app.progress.models import ModuleCompletion
from app.progress.self_assessment import GAPS_COMPETENCE, GAPS_LEVEL, latest_self_assessment


@dataclass(frozen=True)
class CompetenceLevel:
    competence: Competence
    target: int | None
    reached: int | None

    @property
    def covered(self) -> bool:
        return self.target is not None

    @property
    def achieved(self) -> bool:
        return self.target is not None and self.reached is not None and self.reached >= self.target


def course_targets(modules: Iterable[PublishedModule]) -> dict[str, int]:
    targets: dict[str, int] = {}
    for module in modules:
        for competence_id, level in module.manifest.digcomp.items():
            targets[competence_id] = max(level, targets.get(competence_id, 0))
    return targets


def reached_levels(completed: Iterable[PublishedModule]) -> dict[str, int]:
    """The same rule as targets, over the versions a learner completed."""
    return course_targets(completed)


def competence_profile(
    connection: Connection, versions: Versions, user_id: int, visible_modules: list[PublishedModule]
) -> list[CompetenceLevel]:
    """Every competence of the framework with the target of the modules this learner sees, and their level."""
    completion = table_of(ModuleCompletion)
    completed_versions = connection.execute(select(completion.c.version_id).where(completion.c.user_id == user_id)).scalars()
    reached = reached_levels(versions.get(connection, version_id) for version_id in completed_versions)
    if latest_self_assessment(connection, user_id) is not None:
        reached[GAPS_COMPETENCE] = max(reached.get(GAPS_COMPETENCE, 0), GAPS_LEVEL)
    targets = course_targets(visible_modules)
    return [CompetenceLevel(c, targets.get(c.id), reached.get(c.id)) for c in load_framework().competences]
