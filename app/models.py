"""Every domain's tables, imported in one place for Alembic and the test fixtures."""

from app.accounts.models import ApiToken, ApiTokenScope, AuthSession, LoginThrottle, PasswordLink, User, UserRole
from app.catalog.models import LessonPage, Module, ModuleVersion
from app.events.models import AuditEvent, OutboxMessage
from app.progress.models import LessonCompletion, ModuleCompletion, QuizAttempt

__all__ = [
    "ApiToken",
    "ApiTokenScope",
    "AuditEvent",
    "AuthSession",
    "LessonCompletion",
    "LessonPage",
    "LoginThrottle",
    "Module",
    "ModuleCompletion",
    "ModuleVersion",
    "OutboxMessage",
    "PasswordLink",
    "QuizAttempt",
    "User",
    "UserRole",
]
