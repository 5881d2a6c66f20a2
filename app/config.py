"""The one settings object: every tunable comes from a `COOC_` environment variable."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
UI_LANGUAGES = ("en", "fr", "nl")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COOC_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    secret_key: str = ""
    modules_dir: Path = PROJECT_ROOT / "modules"
    content_dir: Path = PROJECT_ROOT / "content"
    static_dir: Path = PROJECT_ROOT / "static"
    default_language: Literal["en", "fr", "nl"] = "en"

    public_url: str = Field(default="http://127.0.0.1:8000", description="the address people use; links in e-mails start with it")
    smtp_host: str | None = Field(default=None, description="no host: e-mails wait in the outbox, readable by admins")
    smtp_port: int = 587
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "cooc <cooc@localhost>"
    smtp_timeout_seconds: float = 30
    invitation_valid_days: int = Field(default=7, ge=1, le=90)
    password_reset_max_per_address: int = Field(default=3, ge=1, description="reset e-mails per address per lock-out window")

    oidc_issuer: str | None = Field(
        default=None, description="the company's OpenID Connect issuer URL; set it to offer single sign-on"
    )
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_display_name: str = Field(default="your company account", description='the button reads "Sign in with <this>"')
    oidc_scopes: str = "openid email profile"
    oidc_employee_claim: str = Field(
        default="email", description="the claim that names the employee: email, or one carrying the employee id"
    )
    oidc_create_unknown: bool = Field(
        default=False, description="create people the HR directory does not know from their claims, instead of refusing them"
    )
    oidc_department_claim: str = "department"
    password_sign_in: bool = Field(default=True, description="off: everyone signs in through SSO, but the break-glass admins")
    break_glass_admins: str = Field(
        default="", description="employee ids of admins who may still sign in with a password when it is off (comma-separated)"
    )

    session_max_age_seconds: int = 8 * 3600
    cookie_secure: bool | None = Field(default=None, description="Secure cookies; by default on in production")
    login_max_failures: int = 5
    login_max_failures_per_address: int = 100
    forwarded_allow_ips: str = Field(default="127.0.0.1", description="proxies whose X-Forwarded-For is trusted")
    login_lockout_seconds: int = 15 * 60
    sqlite_busy_timeout_ms: int = 5000
    db_pool_size: int = 10

    password_hash_concurrency: int = Field(
        default=4, ge=1, description="argon2 hashes computed at once (64 MiB each); sign-ins beyond wait briefly, then get 503"
    )
    password_hash_wait_seconds: float = Field(default=2, ge=0, description="how long a sign-in waits for a hashing slot")
    module_file_max_bytes: int = Field(default=512 * 1024, ge=1024, description="largest single file in a module folder")
    module_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, description="largest module folder in all")

    argon2_time_cost: int = 3
    argon2_memory_cost_kib: int = 65536
    argon2_parallelism: int = 4

    embedded_worker: bool | None = Field(
        default=None, description="Drain the outbox inside `cooc serve`; by default on SQLite outside tests"
    )
    outbox_batch_size: int = Field(default=20, ge=1, le=1000)
    outbox_lease_seconds: float = Field(default=60, gt=0)
    outbox_max_attempts: int = Field(default=8, ge=1)
    outbox_backoff_seconds: float = Field(default=5, gt=0)
    outbox_poll_seconds: float = Field(default=1, gt=0)
    housekeeping_interval_seconds: float = Field(
        default=60, gt=0, description="how often the worker deletes ended sessions and stale sign-in throttle records"
    )

    access_log: bool = True
    bootstrap_admin: bool = Field(
        default=True,
        description="On an empty database, `cooc serve` creates one admin and prints its password once.",
    )

    @model_validator(mode="after")
    def fill_derived_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'cooc.sqlite3'}"
        if not self.secret_key:
            if self.environment == "production" and not self.is_sqlite:
                # Several servers behind one PostgreSQL must sign CSRF tokens with one key.
                raise ValueError("set COOC_SECRET_KEY in production on PostgreSQL: every server must share the same key")
            self.secret_key = _load_or_create_secret(self.data_dir / "secret_key")
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret):
            raise ValueError("COOC_OIDC_ISSUER needs COOC_OIDC_CLIENT_ID and COOC_OIDC_CLIENT_SECRET")
        if not self.password_sign_in and not self.oidc_issuer:
            raise ValueError("COOC_PASSWORD_SIGN_IN=false needs single sign-on: set COOC_OIDC_ISSUER")
        if self.environment == "production" and (len(self.secret_key) < 32 or self.secret_key in {"changeme", "secret"}):
            raise ValueError("COOC_SECRET_KEY must be a random string of 32+ characters in production")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.environment == "production"

    @property
    def sso_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def break_glass_admin_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.break_glass_admins.split(",") if part.strip())

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def runs_embedded_worker(self) -> bool:
        if self.embedded_worker is not None:
            return self.embedded_worker
        return self.is_sqlite and self.environment != "test"


def _load_or_create_secret(path: Path) -> str:
    """Generate the signing key once and keep it, so restarts do not log everyone out."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
