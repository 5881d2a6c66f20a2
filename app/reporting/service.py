"""Competence reporting: what the course aims at, and what employees reached, per group.

The rules for targets and levels are the learner's own (`app.progress.competences`); here they
are counted over every active employee.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.engine import Connection

from app.accounts.models import Role, User, UserRole
from app.catalog.digcomp import Competence, Framework, load_framework
from app.catalog.service import Versions
from app.db import table_of
from app.progress.competences import course_targets, reached_levels
from app.progress.models import ModuleCompletion
from app.spreadsheet import write_csv

CSV_COLUMNS = ("group", "employees", "competence", "title", "target_level", "eligible", "reached", "share")


class GroupBy(StrEnum):
    department = "department"
    language = "language"
    everyone = "everyone"


@dataclass(frozen=True)
class GroupResult:
    """One group's employees; per competence, how many have it as a target and how many reached it."""

    group: str
    employees: int
    reached: dict[str, int]
    eligible: dict[str, int]

    def share(self, competence_id: str) -> float:
        eligible = self.eligible.get(competence_id, 0)
        return self.reached.get(competence_id, 0) / eligible if eligible else 0.0


@dataclass(frozen=True)
class CompetenceReport:
    framework: Framework
    group_by: GroupBy
    targets: dict[str, int]
    groups: list[GroupResult]

    @property
    def covered_competences(self) -> list[Competence]:
        return [c for c in self.framework.competences if c.id in self.targets]


def competence_report(connection: Connection, versions: Versions, group_by: GroupBy) -> CompetenceReport:
    """Per group of active employees, how many reached the course's target level, competence by competence.

    A person is counted for a competence only if a module they can see builds it: the mentors'
    module does not make every learner fall short of a target they could never reach.
    """
    modules = versions.all_current(connection, archived_too=True)
    targets = course_targets(modules)
    learner_targets = course_targets(module for module in modules if module.visible_to(frozenset({Role.learner})))
    role = table_of(UserRole)
    sees_all = set(connection.execute(select(role.c.user_id).where(role.c.role.in_([Role.mentor, Role.admin]))).scalars())
    user = table_of(User)
    completion = table_of(ModuleCompletion)
    group_column = {GroupBy.department: user.c.department, GroupBy.language: user.c.language}.get(group_by)
    employees: dict[int, str] = {
        user_id: (group if group_column is not None else "everyone")
        for user_id, group in connection.execute(
            select(user.c.id, group_column if group_column is not None else user.c.id).where(user.c.is_active.is_(True))
        )
    }
    completed: dict[int, list[int]] = defaultdict(list)
    for user_id, version_id in connection.execute(select(completion.c.user_id, completion.c.version_id)):
        if user_id in employees:
            completed[user_id].append(version_id)
    sizes: dict[str, int] = defaultdict(int)
    reached_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    eligible_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for user_id, group in employees.items():
        sizes[group] += 1
        levels = reached_levels(versions.get(connection, version_id) for version_id in completed.get(user_id, []))
        for competence_id, target in (targets if user_id in sees_all else learner_targets).items():
            eligible_counts[group][competence_id] += 1
            if levels.get(competence_id, 0) >= target:
                reached_counts[group][competence_id] += 1
    groups = [
        GroupResult(group, sizes[group], dict(reached_counts[group]), dict(eligible_counts[group])) for group in sorted(sizes)
    ]
    return CompetenceReport(framework=load_framework(), group_by=group_by, targets=targets, groups=groups)


def report_as_rows(report: CompetenceReport, language: str = "en") -> list[dict[str, object]]:
    """One row per group and covered competence: the shape of both the CSV and the JSON cells."""
    return [
        {
            "group": group.group,
            "employees": group.employees,
            "competence": competence.id,
            "title": competence.title(language),
            "target_level": report.targets[competence.id],
            "eligible": group.eligible.get(competence.id, 0),
            "reached": group.reached.get(competence.id, 0),
            "share": round(group.share(competence.id), 4),
        }
        for group in report.groups
        for competence in report.covered_competences
    ]


def report_as_csv(report: CompetenceReport, language: str = "en") -> str:
    return write_csv(CSV_COLUMNS, report_as_rows(report, language))
