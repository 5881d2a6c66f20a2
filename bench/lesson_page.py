"""Load benchmark of the logged-in lesson page against two baselines measured in the same run.

Starts uvicorn (one worker, no access log) on a seeded SQLite database and drives it with wrk
(Debian package `wrk`) at 64 concurrent connections:

  (a) cooc's lesson page, signed in, with the learner's progress on it;
  (b) the same template rendered by a FastAPI route with fixed data (the render-only limit);
  (c) a bare Starlette route returning the same bytes.

Prints requests per second, p50 and p99 for each, and the ratios a/b and a/c.
Usage: .venv/bin/python bench/lesson_page.py [--duration 10] [--connections 64]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MODULE, LESSON = "internet-security", "phishing-and-fraud"


def seed(data_dir: Path) -> str:
    """Migrate, import the shipped course, create a learner with some progress; return a session token."""
    from app.accounts.models import Role
    from app.accounts.people import EmployeeRecord, create_user
    from app.accounts.sign_in import log_in
    from app.actor import Actor
    from app.catalog.service import Versions
    from app.config import Settings
    from app.db import Database
    from app.migrations import upgrade_to_head
    from app.progress.service import mark_lesson_done
    from app.publishing.service import import_modules_directory

    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'bench.sqlite3'}")
    upgrade_to_head(settings)
    db = Database(settings)
    with db.session() as session:
        bench = Actor.system("bench")
        assert import_modules_directory(session, bench, settings.modules_dir).ok
        learner = EmployeeRecord("B1", "Bench Learner", "bench@example.com", "Finance", "en", frozenset({Role.learner}))
        user = create_user(session, settings, bench, learner, "quiet-harbour-lantern-7")
        module = Versions().current(session.connection(), MODULE)
        assert user.id is not None and module is not None
        mark_lesson_done(session, Actor.person(user.id, user.employee_id), module, module.lesson_slugs[0])
        token = log_in(session, settings, "bench@example.com", "quiet-harbour-lantern-7", "127.0.0.1")
    db.dispose()
    return token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not answer at {url}")


def pinned(cpu: int, pin: bool) -> list[str]:
    """With --pin, keep the server and the load generator on separate cores."""
    return ["taskset", "-c", str(cpu)] if pin and shutil.which("taskset") and (os.cpu_count() or 1) >= 2 else []


def run_wrk(url: str, token: str, duration: int, connections: int, pin: bool) -> dict[str, float]:
    output = subprocess.run(
        [
            *pinned(0, pin),
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-H",
            f"Cookie: cooc_session={token}",
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{url} answered errors:\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
    }


def _ms(value: str) -> float:
    number, unit = float(re.match(r"[\d.]+", value).group(0)), re.sub(r"[\d.]+", "", value)  # type: ignore[union-attr]
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--pin", action="store_true", help="pin the server to core 1 and wrk to core 0 (taskset)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install --no-install-recommends wrk")
    data_dir = Path(tempfile.mkdtemp(prefix="cooc-bench-"))
    env = {
        **os.environ,
        "COOC_DATA_DIR": str(data_dir),
        "COOC_DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite3'}",
        "COOC_ACCESS_LOG": "false",
        "BENCH_MODULE": MODULE,
        "BENCH_LESSON": LESSON,
    }
    env["BENCH_SESSION_TOKEN"] = token = seed(data_dir)
    port = free_port()
    server = subprocess.Popen(
        [
            *pinned(1, args.pin),
            sys.executable,
            "-m",
            "uvicorn",
            "bench.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    targets = {
        "a lesson page": f"{base}/modules/{MODULE}/lessons/{LESSON}",
        "b render only": f"{base}/bench/render-only",
        "c bare route": f"{base}/bench/bare",
    }
    if os.environ.get("BENCH_PAUSE"):
        print(f"server pid {server.pid}", flush=True)
    try:
        wait_until_up(f"{base}/healthz")
        for url in targets.values():
            run_wrk(url, token, 2, args.connections, args.pin)  # warm-up
        results = {name: run_wrk(url, token, args.duration, args.connections, args.pin) for name, url in targets.items()}
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"{'route':<16}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, figures in results.items():
        print(f"{name:<16}{figures['rps']:>10.0f}{figures['p50']:>10.2f}{figures['p99']:>10.2f}")
    a, b, c = (results[name]["rps"] for name in targets)
    p99 = results["a lesson page"]["p99"]
    print(f"a/b = {a / b:.2f} (target >= 0.50)   a/c = {a / c:.2f}   p99(a) = {p99:.1f} ms (target < 50)")


if __name__ == "__main__":
    main()
