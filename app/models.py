"""Every domain's tables, imported in one place for Alembic and the test fixtures."""

from app.accounts.models import ApiToken, AuthSession, LoginThrottle, User, UserRole
from app.catalog.models import LessonPage, Module, ModuleVersion
from app.progress.models import LessonCompletion, ModuleCompletion, QuizAttempt

__all__ = [
    "ApiToken",
    "AuthSession",
    "LessonCompletion",
    "LessonPage",
    "LoginThrottle",
    "Module",
    "ModuleCompletion",
    "ModuleVersion",
    "QuizAttempt",
    "User",
    "UserRole",
]
