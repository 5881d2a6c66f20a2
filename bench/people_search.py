"""The admin's people search at company scale, against a bare indexed look-up measured in the same run.

Seeds N employees in 50 departments (through the real HR import), then times `search_people`
(what /admin/people runs: the count and one page of 50) for an employee id, an e-mail address, a
department, part of a name and a role filter, and a bare `SELECT ... WHERE employee_id = ?` on the
same connection as the floor. Prints p50 and p95 per query and their ratio to the floor.

Usage: .venv/bin/python bench/people_search.py [--rows 150000] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from app.accounts.directory import import_employees
from app.accounts.models import Role
from app.accounts.people_search import PeopleQuery, search_people
from app.actor import Actor
from app.config import Settings
from app.db import Database
from app.migrations import upgrade_to_head


def directory(rows: int) -> str:
    lines = ["employee_id,name,email,department,language,role"]
    lines += [
        f"E{n},Person {n} Lastname{n % 997},p{n}@example.com,Dept {n % 50},en,{'mentor' if n % 25 == 0 else 'learner'}"
        for n in range(rows)
    ]
    return "\n".join(lines) + "\n"


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=150_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cooc-people-"))
    url = args.database_url or f"sqlite:///{folder / 'cooc.sqlite3'}"
    settings = Settings(database_url=url, data_dir=folder, secret_key="b" * 40)
    upgrade_to_head(settings)
    db = Database(settings)
    with db.session() as session:
        import_employees(session, Actor.system("bench"), directory(args.rows), source="bench")
    queries = {
        "employee id": PeopleQuery(text=f"E{args.rows // 2}"),
        "e-mail": PeopleQuery(text=f"p{args.rows // 3}@example.com"),
        "department": PeopleQuery(text="Dept 7"),
        "part of a name": PeopleQuery(text="lastname42"),
        "role mentor": PeopleQuery(role=Role.mentor),
        "never signed in": PeopleQuery(signed_in=False),
    }
    with db.engine.connect() as connection:
        floor = timed(
            lambda: connection.execute(text("SELECT id FROM user_account WHERE employee_id = :e"), {"e": "E42"}).all(),
            args.repeat,
        )
        print(f"{'query':<18}{'p50 ms':>9}{'p95 ms':>9}{'p50 / floor':>13}   rows found")
        print(f"{'bare indexed':<18}{floor[0]:>9.2f}{floor[1]:>9.2f}{1:>13.1f}")
        for name, query in queries.items():
            p50, p95 = timed(lambda query=query: search_people(connection, query), args.repeat)  # type: ignore[misc]
            found = search_people(connection, query).total
            print(f"{name:<18}{p50:>9.2f}{p95:>9.2f}{p50 / floor[0]:>13.1f}   {found}")
    db.dispose()


if __name__ == "__main__":
    main()
