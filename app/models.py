"""Every domain's tables, imported in one place for Alembic and the test fixtures."""

from app.accounts.models import ApiToken, ApiTokenScope, AuthSession, LoginThrottle, PasswordLink, User, UserRole
from app.catalog.models import LessonPage, Module, ModuleMedia, ModuleVersion, SubstantiveChange
from app.events.models import AuditEvent, OutboxMessage
from app.mentoring.models import Wave, WaveParticipant
from app.progress.models import LessonCompletion, ModuleCompletion, QuizAttempt, SelfAssessmentResult
from app.publishing.models import ModuleVersionFile

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
    "ModuleMedia",
    "ModuleVersion",
    "ModuleVersionFile",
    "OutboxMessage",
    "PasswordLink",
    "QuizAttempt",
    "SelfAssessmentResult",
    "SubstantiveChange",
    "User",
    "UserRole",
    "Wave",
    "WaveParticipant",
]
