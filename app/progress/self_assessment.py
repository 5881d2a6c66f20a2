"""The five-minute self-assessment: where a learner stands on the DigComp areas the course covers.

One statement per competence, answered on one scale whose answers are DigComp proficiency levels
(0 to 4: foundation to intermediate). The result places the learner on each area, suggests the
modules with the largest gap between the course's target and their own answer, and counts as
competence 5.4 (identifying one's own digital competence gaps) for everyone who takes it. The
mentoring questionnaire can read the latest result as a mentee's current level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from app.actor import Actor
from app.catalog.digcomp import load_framework
from app.catalog.service import PublishedModule
from app.config import UI_LANGUAGES
from app.db import table_of
from app.progress.models import SelfAssessmentResult

SELF_ASSESSMENT_FILE = "self-assessment.yaml"
GAPS_COMPETENCE = "5.4"
GAPS_LEVEL = 2  # "Identifying where my own digital competence needs improving", on my own: DigComp foundation level 2
SUGGESTIONS = 3
_result = table_of(SelfAssessmentResult)


class SelfAssessmentError(ValueError):
    pass


@dataclass(frozen=True)
class Statement:
    id: str
    competence: str
    texts: Mapping[str, str]


@dataclass(frozen=True)
class SelfAssessment:
    scale: tuple[tuple[int, Mapping[str, str]], ...]
    statements: tuple[Statement, ...]

    @property
    def levels(self) -> frozenset[int]:
        return frozenset(level for level, _ in self.scale)

    def levels_for(self, answers: Mapping[str, int]) -> dict[str, int]:
        """The level the learner gave themselves per competence; every statement must be answered."""
        missing = [statement.id for statement in self.statements if answers.get(statement.id) not in self.levels]
        if missing:
            raise SelfAssessmentError(f"unanswered: {', '.join(missing)}")
        return {statement.competence: answers[statement.id] for statement in self.statements}


def load_self_assessment(path: Path) -> SelfAssessment:
    """Read and check the statements; a broken file stops the start-up with what is wrong, like a broken setting."""
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    framework = {competence.id for competence in load_framework().competences}
    try:
        scale = tuple((int(entry["level"]), {code: str(entry[code]) for code in UI_LANGUAGES}) for entry in data["scale"])
        statements = tuple(
            Statement(
                id=str(item["id"]), competence=str(item["competence"]), texts={code: str(item[code]) for code in UI_LANGUAGES}
            )
            for item in data["items"]
        )
    except (KeyError, TypeError, ValueError) as error:
        raise SelfAssessmentError(
            f"{path}: every scale entry needs a level and every statement an id, a competence "
            f"and a text in {', '.join(UI_LANGUAGES)} ({error!r})"
        ) from error
    unknown = sorted({statement.competence for statement in statements} - framework)
    ids = [statement.id for statement in statements]
    if unknown or len(set(ids)) != len(ids) or not statements:
        raise SelfAssessmentError(f"{path}: unknown competences {unknown} or repeated ids")
    return SelfAssessment(scale=scale, statements=statements)


@dataclass(frozen=True)
class Suggestion:
    module: PublishedModule
    gap: int


@dataclass(frozen=True)
class Placement:
    """A self-assessment's result: the learner's level per area and per competence, and where to start."""

    by_area: dict[str, int]
    by_competence: dict[str, int]
    suggestions: list[Suggestion]


def placement(levels: Mapping[str, int], modules: Iterable[PublishedModule], completed: Iterable[int]) -> Placement:
    """Areas get the rounded-down mean of their statements; suggestions are the modules not completed yet
    whose targets lie furthest above the learner's own answers, in catalog order when the gap is the same."""
    framework = load_framework()
    area_of = {competence.id: competence.area_id for competence in framework.competences}
    by_area_values: dict[str, list[int]] = {}
    for competence, level in levels.items():
        by_area_values.setdefault(area_of[competence], []).append(level)
    by_area = {area: sum(values) // len(values) for area, values in sorted(by_area_values.items())}
    done = set(completed)
    gaps = []
    for position, module in enumerate(modules):
        if module.module_id in done:
            continue
        gap = sum(
            max(0, target - levels.get(competence, 0))
            for competence, target in module.manifest.digcomp.items()
            if competence in levels
        )
        if gap:
            gaps.append((-gap, position, module))
    suggestions = [Suggestion(module, -gap) for gap, _, module in sorted(gaps, key=lambda item: item[:2])[:SUGGESTIONS]]
    return Placement(by_area=by_area, by_competence=dict(levels), suggestions=suggestions)


def record_self_assessment(
    session: Session, learner: Actor, assessment: SelfAssessment, answers: Mapping[str, int], language: str
) -> SelfAssessmentResult:
    """Keep this result; earlier ones stay, so a learner (and later their mentor) sees how they moved."""
    if learner.user_id is None:
        raise SelfAssessmentError("only a signed-in learner takes the self-assessment")
    result = SelfAssessmentResult(
        user_id=learner.user_id, language=language, answers=dict(answers), levels=assessment.levels_for(answers)
    )
    session.add(result)
    session.commit()
    return result


def latest_self_assessment(connection: Connection, user_id: int) -> SelfAssessmentResult | None:
    row = connection.execute(
        core_select(_result).where(_result.c.user_id == user_id).order_by(_result.c.taken_at.desc(), _result.c.id.desc()).limit(1)
    ).first()
    return None if row is None else SelfAssessmentResult(**row._mapping)
