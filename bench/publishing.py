"""The publishing pipeline, against rendering alone (reading, checking and rendering without a database) in the same run.

On a fresh SQLite database, and on a fresh PostgreSQL schema with --postgres, it times:

  (1) importing the whole shipped course into a freshly migrated database, end to end;
  (2) re-publishing one module with one sentence changed (a new version made live), and
      re-importing the unchanged course (nothing is stored, so it should cost about the rendering);
  (3) an upload of that module as a zip through the API (TestClient, in-process), then publishing it.

The baselines are rendering every module folder (for 1 and the unchanged re-import) and rendering
the one module (for 2 and 3); ratios are printed because this machine is noisy. Every step runs
--repeat times after one untimed rendering pass, and is reported as median, min and max. The
issue's target is the whole course in under 2 s on SQLite; the script says whether it is met.
Usage: .venv/bin/python bench/publishing.py [--repeat 5] [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import itertools
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.accounts.tokens import create_api_token
from app.actor import Actor
from app.catalog.files import discover_module_folders, module_zip, read_module_folder
from app.catalog.loader import load_module
from app.config import Settings
from app.db import Database
from app.main import create_app
from app.migrations import upgrade_to_head
from app.publishing.service import ImportStatus, import_module_folders, import_modules_directory

MODULE = "internet-security"
LESSON_FILE = "en/02-phishing-and-fraud.md"
SENTENCE = "Fraudsters pull the same four levers"
TARGET_SECONDS = 2.0
ACTOR = Actor.system("bench")
_edits = itertools.count(1)


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings(
        environment="test",
        data_dir=data_dir,
        database_url=url,
        secret_key="b" * 40,
        argon2_time_cost=1,
        argon2_memory_cost_kib=1024,
        argon2_parallelism=1,
        bootstrap_admin=False,
        access_log=False,
    )


@contextmanager
def empty_database(postgres: str | None, folder: Path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if postgres is None:
        yield f"sqlite:///{folder / f'cooc-{secrets.token_hex(4)}.sqlite3'}"
        return
    from tests.databases import fresh_postgres_schema

    with fresh_postgres_schema(postgres, "cooc_bench") as url:
        yield url


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def render(folders: list[Path]) -> None:
    for folder in folders:
        load_module(read_module_folder(folder))


def edit(folder: Path, original: str) -> int:
    """Change one sentence of one lesson, differently each time, so every import or upload is a new version."""
    number = next(_edits)
    (folder / LESSON_FILE).write_text(original.replace(SENTENCE, f"{SENTENCE} (bench edit {number})", 1), encoding="utf-8")
    return number


def import_course(url: str, data_dir: Path, modules_dir: Path) -> float:
    """Migrate (not timed), then import every shipped module; seconds for the import."""
    settings = settings_for(url, data_dir)
    upgrade_to_head(settings)
    db = Database(settings)
    started = time.perf_counter()
    with db.session() as session:
        report = import_modules_directory(session, ACTOR, modules_dir)
    elapsed = time.perf_counter() - started
    db.dispose()
    assert report.ok and all(outcome.status == ImportStatus.created for outcome in report.outcomes), report.rejected
    return elapsed


def measure(
    postgres: str | None, folder: Path, modules_dir: Path, edited: Path, original: str, repeat: int
) -> dict[str, list[float]]:
    """Every step on one backend; each import from scratch gets a database of its own, the last is kept for the rest."""
    folders = discover_module_folders(modules_dir)
    results = {"render whole course": timed(lambda: render(folders), repeat)}
    scratch = []
    for _ in range(repeat - 1):
        with empty_database(postgres, folder) as url:
            scratch.append(import_course(url, folder, modules_dir))
    with empty_database(postgres, folder) as url:
        scratch.append(import_course(url, folder, modules_dir))
        results["import from scratch"] = scratch
        db = Database(settings_for(url, folder))
        with db.session() as session:
            results["unchanged re-import"] = timed(lambda: unchanged(session, modules_dir), repeat)
            results["render one module"] = timed(lambda: render([edited]), repeat)
            results["re-publish one module"] = [republish(session, edited, original) for _ in range(repeat)]
            _, token = create_api_token(session, ACTOR, "bench", ["content:write"])
        db.dispose()
        upload, publish = upload_and_publish(settings_for(url, folder), token, edited, original, repeat)
        results["API upload"], results["API publish"] = upload, publish
    return results


def unchanged(session: Session, modules_dir: Path) -> None:
    report = import_modules_directory(session, ACTOR, modules_dir)
    assert all(outcome.status == ImportStatus.unchanged for outcome in report.outcomes), report.outcomes


def republish(session: Session, edited: Path, original: str) -> float:
    edit(edited, original)
    started = time.perf_counter()
    report = import_module_folders(session, ACTOR, [edited])
    elapsed = time.perf_counter() - started
    assert [outcome.status for outcome in report.outcomes] == [ImportStatus.created], report
    return elapsed


def upload_and_publish(
    settings: Settings, token: str, edited: Path, original: str, repeat: int
) -> tuple[list[float], list[float]]:
    """Upload the module with a new edit each time (so a new draft, 201), then publish that draft."""
    uploads, publishes = [], []
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:
        for _ in range(repeat):
            edit(edited, original)
            data = module_zip(MODULE, read_module_folder(edited).files)
            started = time.perf_counter()
            response = client.post("/api/v1/modules", files={"file": (f"{MODULE}.zip", data, "application/zip")}, headers=headers)
            uploads.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text
            number = response.json()["version"]
            started = time.perf_counter()
            response = client.post(f"/api/v1/modules/{MODULE}/versions/{number}/publish", headers=headers)
            publishes.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    return uploads, publishes


BASELINE = {
    "render whole course": "render whole course",
    "import from scratch": "render whole course",
    "unchanged re-import": "render whole course",
    "render one module": "render one module",
    "re-publish one module": "render one module",
    "API upload": "render one module",
    "API publish": "render one module",
}


def report(backend: str, results: dict[str, list[float]]) -> None:
    print(f"\n{backend}")
    print(f"{'step':<24}{'median ms':>11}{'min ms':>9}{'max ms':>9}{'median / baseline':>19}")
    for step, samples in results.items():
        median = statistics.median(samples)
        ratio = median / statistics.median(results[BASELINE[step]])
        baseline = f"{ratio:.2f} x {BASELINE[step]}" if BASELINE[step] != step else "baseline"
        print(f"{step:<24}{median * 1000:>11.0f}{min(samples) * 1000:>9.0f}{max(samples) * 1000:>9.0f}   {baseline}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL; a fresh schema is made and dropped for each import")
    args = parser.parse_args()
    modules_dir = Settings.model_fields["modules_dir"].default
    folder = Path(tempfile.mkdtemp(prefix="cooc-publishing-"))
    edited = folder / "edit" / MODULE
    shutil.copytree(modules_dir / MODULE, edited)
    original = (edited / LESSON_FILE).read_text(encoding="utf-8")
    assert SENTENCE in original, f"{LESSON_FILE} no longer has the sentence this benchmark edits"
    render(discover_module_folders(modules_dir))  # warm-up: imports, the Markdown and YAML machinery
    backends = {"SQLite": None} | ({"PostgreSQL": args.postgres} if args.postgres else {})
    try:
        measured = {name: measure(url, folder, modules_dir, edited, original, args.repeat) for name, url in backends.items()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    count = len(discover_module_folders(modules_dir))
    print(f"{count} modules from {modules_dir}, {args.repeat} runs per step")
    for name, results in measured.items():
        report(name, results)
    whole = statistics.median(measured["SQLite"]["import from scratch"])
    verdict = "target met" if whole < TARGET_SECONDS else "target NOT met"
    print(f"\n{verdict}: the whole course imports in {whole:.2f} s on SQLite (median; target under {TARGET_SECONDS:.0f} s)")


if __name__ == "__main__":
    main()
