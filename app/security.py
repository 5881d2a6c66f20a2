"""Passwords, opaque tokens and CSRF tokens. Secrets are stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.config import Settings

SESSION_COOKIE = "cooc_session"
ANONYMOUS_COOKIE = "cooc_anon"
API_TOKEN_PREFIX = "cooc_"  # noqa: S105 - a marker, not a secret


class HashingBusy(Exception):
    """Every password-hashing slot stayed taken: the request is answered 503 before any hashing."""


@lru_cache
def _hash_gate(concurrency: int) -> threading.BoundedSemaphore:
    """One gate per process: argon2 takes 64 MiB per hash, so memory is bounded by the gate's size."""
    return threading.BoundedSemaphore(concurrency)


@contextmanager
def hashing_slot(settings: Settings) -> Iterator[None]:
    gate = _hash_gate(settings.password_hash_concurrency)
    if not gate.acquire(timeout=settings.password_hash_wait_seconds):
        raise HashingBusy()
    try:
        yield
    finally:
        gate.release()


@lru_cache
def _password_hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def password_hasher(settings: Settings) -> PasswordHasher:
    return _password_hasher(settings.argon2_time_cost, settings.argon2_memory_cost_kib, settings.argon2_parallelism)


def hash_password(settings: Settings, password: str) -> str:
    with hashing_slot(settings):
        return password_hasher(settings).hash(password)


def verify_password(settings: Settings, password_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists, so timing does not reveal valid emails."""
    hasher = password_hasher(settings)
    with hashing_slot(settings):
        if password_hash is None:
            hasher.hash(password)
            return False
        try:
            return hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 is enough for tokens: they carry 256 random bits, unlike passwords."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(secret_key: str, anchor: str) -> str:
    """A CSRF token bound to the browser's session (or anonymous) cookie and our secret key."""
    return hmac.new(secret_key.encode(), f"csrf:{anchor}".encode(), hashlib.sha256).hexdigest()


def csrf_token_matches(secret_key: str, anchor: str, submitted: str) -> bool:
    return hmac.compare_digest(csrf_token_for(secret_key, anchor), submitted)
