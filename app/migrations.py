"""Run Alembic from code, so `cooc migrate`, `cooc serve` and the tests share one path."""

from __future__ import annotations

from alembic.config import Config

from alembic import command
from app.config import PROJECT_ROOT, Settings


def alembic_config(settings: Settings) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["settings"] = settings
    return config


def upgrade_to_head(settings: Settings) -> None:
    upgrade_to(settings, "head")


def upgrade_to(settings: Settings, revision: str) -> None:
    command.upgrade(alembic_config(settings), revision)
