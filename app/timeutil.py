"""One clock for the whole app: timezone-aware UTC, stored as UTC on SQLite and PostgreSQL."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
