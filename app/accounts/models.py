"""Employees, their roles, login sessions, login throttles and machine API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, UniqueConstraint

from app.db import Model, enum_type
from app.timeutil import utc_now


class Role(StrEnum):
    """What a person may do. An editor publishes content but cannot see people, tokens or reports."""

    learner = "learner"
    mentor = "mentor"
    editor = "editor"
    admin = "admin"


class Scope(StrEnum):
    catalog_read = "catalog:read"
    content_write = "content:write"
    reports_read = "reports:read"


class User(Model, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    employee_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200, index=True)
    email: str = Field(max_length=320, unique=True)
    department: str = Field(max_length=200, index=True)
    language: str = Field(max_length=8, default="en")
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    last_signed_in_at: datetime | None = None


class UserRole(Model, table=True):
    __tablename__ = "user_role"
    __table_args__ = (Index("ix_user_role_role", "role"),)

    user_id: int = Field(foreign_key="user_account.id", primary_key=True, ondelete="CASCADE")
    role: Role = Field(sa_type=enum_type(Role), primary_key=True)


class AuthSession(Model, table=True):
    """A browser login. Only the SHA-256 of the cookie value is stored, so a database leak logs no one in."""

    __tablename__ = "auth_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    user_agent: str = Field(default="", max_length=200, description="the browser, so a person can tell their sessions apart")


class LoginThrottle(Model, table=True):
    """Failed logins per account and per client address, shared by every server process."""

    __tablename__ = "login_throttle"

    key: str = Field(max_length=400, primary_key=True)
    failures: int = 0
    window_started_at: datetime = Field(default_factory=utc_now)
    locked_until: datetime | None = None


class ApiToken(Model, table=True):
    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64)
    token_prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utc_now)
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiTokenScope(Model, table=True):
    """What a token may do: one row per scope."""

    __tablename__ = "api_token_scope"

    token_id: int = Field(foreign_key="api_token.id", primary_key=True, ondelete="CASCADE")
    scope: Scope = Field(sa_type=enum_type(Scope), primary_key=True)


class LinkPurpose(StrEnum):
    invitation = "invitation"
    reset = "reset"


class PasswordLink(Model, table=True):
    """A one-use link to choose a password (an invitation, or a reset); only its SHA-256 is kept.

    A newer link of the same purpose replaces the person's earlier one.
    """

    __tablename__ = "password_link"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    purpose: LinkPurpose = Field(sa_type=enum_type(LinkPurpose), nullable=False)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    used_at: datetime | None = None
    replaced_at: datetime | None = None
