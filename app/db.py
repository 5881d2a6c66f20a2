"""Database engine and sessions. SQLite is tuned for many readers; PostgreSQL is used as is."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Enum as SAEnum
from sqlalchemy import MetaData, Table, event, select
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlmodel import Session, SQLModel, create_engine
from starlette.concurrency import run_in_threadpool

from app.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
_T = TypeVar("_T")


class Model(SQLModel):
    """The base of every table: one metadata carrying the naming convention.

    Giving the base its own metadata, instead of setting the convention on SQLModel's global one,
    makes constraint names the same whichever module happens to be imported first.
    """

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


metadata: MetaData = Model.metadata


def enum_type(enum: type[StrEnum]) -> SAEnum:
    """Store an enum's values as text, with a CHECK constraint, identically on both databases."""
    return SAEnum(
        enum,
        name=enum.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a model, for queries on the hot path and bulk statements."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def rows_as_records(connection: Connection, table: Table, where: Any, *, leave_out: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rows as plain JSON-ready dicts (dates in ISO 8601), without the named columns: for data exports."""
    columns = [column for column in table.c if column.name not in leave_out]
    rows = connection.execute(select(*columns).where(where).order_by(*table.primary_key.columns)).mappings()
    return [{key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in row.items()} for row in rows]


def build_engine(settings: Settings, **overrides: Any) -> Engine:
    url = settings.database_url
    kwargs: dict[str, Any] = {"pool_pre_ping": not url.startswith("sqlite")}
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and ":memory:" not in url:
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False}
        kwargs["pool_size"] = settings.db_pool_size
    else:
        kwargs["pool_size"] = settings.db_pool_size
        kwargs["max_overflow"] = settings.db_pool_size
    kwargs.update(overrides)
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        _tune_sqlite(engine, settings.sqlite_busy_timeout_ms)
    return engine


def _tune_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL lets readers run while one writer commits; the busy timeout makes writers queue, not fail."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def insert_ignoring_conflicts(session: Session, table: Any, values: dict[str, Any]) -> bool:
    """INSERT that does nothing when a unique key already exists, on SQLite and PostgreSQL alike.

    Returns whether a row was inserted (read from RETURNING: psycopg reports no row count for it).
    This is what makes double-submitted forms harmless: the second insert finds the first row
    and leaves it untouched.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(table).values(**values).on_conflict_do_nothing()
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table).values(**values).on_conflict_do_nothing()
    key = next(iter(table.primary_key.columns))
    return session.connection().execute(statement.returning(key)).first() is not None


@dataclass(frozen=True)
class PreparedInsert:
    """An INSERT and its rows, converted for the driver: ready to run in a short transaction."""

    sql: str
    rows: list[tuple[Any, ...]]


def prepare_insert(dialect: Dialect, table: Table, rows: Sequence[Mapping[str, Any]]) -> PreparedInsert:
    """Convert rows for the driver, each distinct value once; no database work, so no lock is held.

    For tens of thousands of rows SQLAlchemy's per-row parameter handling costs as much as the
    insert itself, and on SQLite that time would be spent holding the write lock every sign-in
    waits on. Rows must all have the keys of the first one.
    """
    names = list(rows[0]) if rows else []
    converters = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    converted: list[dict[Any, Any]] = [{} for _ in names]

    def bound(index: int, value: Any) -> Any:
        convert = converters[index]
        if convert is None or value is None:
            return value
        known = converted[index]
        if value not in known:
            known[value] = convert(value)
        return known[value]

    quote = dialect.identifier_preparer.quote
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(quote(name) for name in names)
    sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({', '.join(marker for _ in names)})"  # noqa: S608 - identifiers from our own schema
    return PreparedInsert(sql, [tuple(bound(i, row[name]) for i, name in enumerate(names)) for row in rows])


def run_insert(connection: Connection, prepared: PreparedInsert) -> None:
    """The driver's own executemany of a prepared insert."""
    if prepared.rows:
        connection.exec_driver_sql(prepared.sql, prepared.rows)


class Database:
    """The engine plus the rule for running reads from async routes.

    On SQLite a read is an in-process library call that takes microseconds, less than handing
    it to a worker thread, and in WAL mode it never waits for a writer. Reads from async routes
    therefore run inline on SQLite, on a connection pool of their own that only the event loop
    uses. On PostgreSQL a read is a network round trip, so it goes to the thread pool.
    """

    def __init__(self, settings: Settings):
        self.engine = build_engine(settings)
        self.reads_inline = settings.is_sqlite
        self._loop_engine = (
            build_engine(settings, pool_size=1, max_overflow=0, pool_pre_ping=False) if self.reads_inline else None
        )

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    async def read(self, fn: Callable[..., _T], *args: Any) -> _T:
        if self._loop_engine is not None:
            with self._loop_engine.connect() as connection:
                return fn(connection, *args)
        return await run_in_threadpool(self._read_in_thread, fn, *args)

    async def write(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run a use case on its own session in the thread pool: writes wait for locks, never on the event loop."""
        return await run_in_threadpool(self._write_in_thread, fn, *args)

    def _write_in_thread(self, fn: Callable[..., _T], *args: Any) -> _T:
        with self.session() as session:
            return fn(session, *args)

    def _read_in_thread(self, fn: Callable[..., _T], *args: Any) -> _T:
        with self.engine.connect() as connection:
            return fn(connection, *args)

    def dispose(self) -> None:
        self.engine.dispose()
        if self._loop_engine is not None:
            self._loop_engine.dispose()
