"""The DigComp framework as data, one YAML file per framework version."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from app.config import UI_LANGUAGES

CURRENT_VERSION = "2.2"
_HERE = Path(__file__).parent


@dataclass(frozen=True)
class Competence:
    id: str
    area_id: str
    titles: dict[str, str]

    def title(self, language: str) -> str:
        return self.titles.get(language) or self.titles["en"]


@dataclass(frozen=True)
class Framework:
    version: str
    levels: int
    area_titles: dict[str, dict[str, str]]
    competences: tuple[Competence, ...]

    @property
    def competence_ids(self) -> frozenset[str]:
        return frozenset(c.id for c in self.competences)

    def competence(self, competence_id: str) -> Competence:
        return next(c for c in self.competences if c.id == competence_id)


@lru_cache
def load_framework(version: str = CURRENT_VERSION) -> Framework:
    data = yaml.safe_load((_HERE / f"digcomp-{version}.yaml").read_text(encoding="utf-8"))
    competences = tuple(
        Competence(id=c["id"], area_id=area["id"], titles={language: c[language] for language in UI_LANGUAGES})
        for area in data["areas"]
        for c in area["competences"]
    )
    return Framework(
        version=str(data["version"]),
        levels=int(data["levels"]),
        area_titles={area["id"]: area["title"] for area in data["areas"]},
        competences=competences,
    )
