"""What the accounts domain tells the audit log. Payloads never hold a password or a token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from app.events.service import DomainEvent


@dataclass(frozen=True)
class EmployeeEvent(DomainEvent):
    employee_id: str

    @property
    def subject(self) -> str:
        return f"employee:{self.employee_id}"


@dataclass(frozen=True)
class EmployeeCreated(EmployeeEvent):
    action: ClassVar[str] = "employee.created"
    roles: tuple[str, ...]


@dataclass(frozen=True)
class PasswordChanged(EmployeeEvent):
    action: ClassVar[str] = "employee.password_changed"
    sessions_ended: int


@dataclass(frozen=True)
class InvitationSent(EmployeeEvent):
    action: ClassVar[str] = "employee.invited"


@dataclass(frozen=True)
class InvitationAccepted(EmployeeEvent):
    """The person chose a password through their invitation link."""

    action: ClassVar[str] = "employee.invitation_accepted"


@dataclass(frozen=True)
class EmployeeDeactivated(EmployeeEvent):
    """The person can no longer sign in and was signed out at once; their records stay, as inactive."""

    action: ClassVar[str] = "employee.deactivated"
    sessions_ended: int


@dataclass(frozen=True)
class EmployeeReactivated(EmployeeEvent):
    action: ClassVar[str] = "employee.reactivated"


@dataclass(frozen=True)
class PasswordResetDone(EmployeeEvent):
    """The person chose a new password through a reset link; every session of theirs ended."""

    action: ClassVar[str] = "employee.password_reset"


@dataclass(frozen=True)
class RolesChanged(EmployeeEvent):
    action: ClassVar[str] = "employee.roles_changed"
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class DirectoryImported(DomainEvent):
    action: ClassVar[str] = "directory.imported"
    rows: int
    created: int
    updated: int
    unchanged: int
    source: str

    @property
    def subject(self) -> str:
        return "directory"


@dataclass(frozen=True)
class SignInLocked(DomainEvent):
    """Too many failed sign-ins: the account (or the address) waits `seconds` before trying again."""

    action: ClassVar[str] = "sign_in.locked"
    throttle_key: str
    seconds: int

    @property
    def subject(self) -> str:
        return self.throttle_key


@dataclass(frozen=True)
class TokenEvent(DomainEvent):
    token_id: int
    name: str

    @property
    def subject(self) -> str:
        return f"token:{self.token_id}"


@dataclass(frozen=True)
class TokenCreated(TokenEvent):
    action: ClassVar[str] = "token.created"
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class TokenRevoked(TokenEvent):
    action: ClassVar[str] = "token.revoked"


@dataclass(frozen=True)
class PersonalDataExported(EmployeeEvent):
    """An admin exported everything cooc holds about the person (GDPR Art. 15 and 20)."""

    action: ClassVar[str] = "employee.personal_data_exported"


@dataclass(frozen=True)
class PersonErased(EmployeeEvent):
    """An admin erased a person (GDPR Art. 17): the subject is their alias, never their former id."""

    action: ClassVar[str] = "employee.erased"
    audit_entries_pseudonymised: int


@dataclass(frozen=True)
class SingleSignOnRefused(DomainEvent):
    """A company sign-in came back and was refused; `claimed` is who the provider said it was, if it got that far."""

    action: ClassVar[str] = "sign_in.sso_refused"
    reason: str
    claimed: str
    detail: str

    @property
    def subject(self) -> str:
        return f"sso:{self.claimed}" if self.claimed else "sso"


@dataclass(frozen=True)
class SignedInWithSso(EmployeeEvent):
    """The person signed in through the company's identity provider (the first time, or any time)."""

    action: ClassVar[str] = "sign_in.sso"
    issuer: str
