"""HR directory import at company scale, against a raw-insert baseline measured in the same run.

Imports N employees into a fresh SQLite database three times (create, re-import unchanged,
re-import with 1 in 40 changed) and compares the create run with the floor: sqlite3's own
executemany of the same rows into a bare table with the same unique keys. It also prints how
long each import holds SQLite's write lock (the write phase), which is what other writers wait on.
Usage: .venv/bin/python bench/employee_import.py [--rows 150000]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.accounts.directory import apply_directory_import, plan_directory_import
from app.actor import Actor
from app.config import Settings
from app.db import Database
from app.migrations import upgrade_to_head


def directory(rows: int, changed_department: str | None = None) -> str:
    lines = ["employee_id,name,email,department,language,role"]
    for number in range(rows):
        department = changed_department if changed_department and number % 40 == 1 else f"Dept {number % 40}"
        lines.append(f"E{number},Person {number},p{number}@example.com,{department},en,learner")
    return "\n".join(lines) + "\n"


def raw_baseline(folder: Path, rows: int) -> float:
    connection = sqlite3.connect(folder / "raw.sqlite3")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE person (id INTEGER PRIMARY KEY, employee_id TEXT UNIQUE, name TEXT, email TEXT UNIQUE, department TEXT)"
    )
    data = [(f"E{n}", f"Person {n}", f"p{n}@example.com", f"Dept {n % 40}") for n in range(rows)]
    started = time.perf_counter()
    with connection:
        connection.executemany("INSERT INTO person (employee_id, name, email, department) VALUES (?, ?, ?, ?)", data)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=150_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cooc-import-"))
    settings = Settings(database_url=f"sqlite:///{folder / 'cooc.sqlite3'}", data_dir=folder, secret_key="b" * 40)
    upgrade_to_head(settings)
    db = Database(settings)
    runs = {"create": directory(args.rows), "unchanged": directory(args.rows), "1 in 40 changed": directory(args.rows, "Moved")}
    timings = {}
    actor = Actor.system("bench")
    print(f"{'run':<16}{'total':>8}   {'write (lock held)':>18}")
    for name, text in runs.items():
        started = time.perf_counter()
        with db.session() as session:
            plan = plan_directory_import(session.connection(), text)
            session.rollback()
            writing = time.perf_counter()
            summary = apply_directory_import(session, actor, plan, source="bench")
        finished = time.perf_counter()
        timings[name] = finished - started
        print(f"{name:<16}{timings[name]:>6.2f} s   {finished - writing:>16.2f} s   {summary}")
    baseline = raw_baseline(folder, args.rows)
    print(f"{'raw baseline':<16}{baseline:>8.2f} s   sqlite3 executemany, same rows, no checks")
    print(f"create / raw baseline = {timings['create'] / baseline:.1f}x for {args.rows} rows")
    db.dispose()


if __name__ == "__main__":
    main()
