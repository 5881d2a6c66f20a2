"""Learners read and complete lessons while an admin publishes and rolls back, and never notice.

Publishing points the module at another immutable version in one transaction, so a request in
flight must see one version whole: a lesson page never shows one lesson from the old version and
its neighbour from the new one, no request fails, and progress made under one version stays done
under the other. Two lessons change between the versions, and the pager of the lesson between
them shows both titles, so a page stitched from two versions would show.
"""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.catalog.files import ModuleFiles
from app.db import table_of
from app.progress.models import LessonCompletion
from app.publishing.service import publish_module_version, save_draft, version_id_of
from tests.conftest import csrf_from, sign_in
from tests.factories import TEST_ACTOR, make_user
from tests.publishing.test_api import SAMPLE

LESSONS = ("passwords", "two-factors", "reporting")
MARK = "VERSION-TWO"
CHANGES = {
    "en/01-passwords.md": {
        "title: Passwords": f"title: Passphrases {MARK}",
        "A long passphrase of random words is stronger than": f"{MARK} says: a long passphrase of random words beats",
    },
    "en/03-reporting.md": {
        "title: Reporting a mistake": f"title: Reporting {MARK}",
        "tell the security team at once": f"call the {MARK} security desk at once",
    },
}
# What each lesson's page shows of each version: its own title and body, or its neighbours' titles.
SHOWS = {
    "passwords": {
        1: ["<h1>Passwords</h1>", "A long passphrase of random words is stronger than"],
        2: [f"<h1>Passphrases {MARK}</h1>", f"{MARK} says: a long passphrase of random words beats"],
    },
    "two-factors": {
        1: ["Previous: Passwords</a>", "Next: Reporting a mistake →"],
        2: [f"Previous: Passphrases {MARK}</a>", f"Next: Reporting {MARK} →"],
    },
    "reporting": {
        1: ["<h1>Reporting a mistake</h1>", "tell the security team at once"],
        2: [f"<h1>Reporting {MARK}</h1>", f"call the {MARK} security desk at once"],
    },
}
DONE = "You have done this lesson."
LEARNERS = 6
MIN_PUBLISHES, MIN_READS = 60, 200
MAX_PUBLISHES, MAX_READS = 400, 900  # bounds, in case one side is much faster than the other
PAUSE = 0.05


def version_two() -> dict[str, bytes]:
    files = dict(SAMPLE)
    for path, replacements in CHANGES.items():
        text = files[path].decode()
        for old, new in replacements.items():
            assert old in text, (path, old)
            text = text.replace(old, new)
        files[path] = text.encode()
    return files


def version_shown(lesson: str, html: str) -> int:
    """Which version the page shows, failing when it shows parts of both or neither whole."""
    whole = [number for number, parts in SHOWS[lesson].items() if all(part in html for part in parts)]
    mixed = [number for number, parts in SHOWS[lesson].items() if any(part in html for part in parts)]
    assert len(whole) == 1 and mixed == whole, f"{lesson}: page shows version(s) {mixed}, whole {whole}:\n{html}"
    return whole[0]


def versions_shown(client: TestClient) -> list[int]:
    return [version_shown(lesson, client.get(f"/modules/sample-module/lessons/{lesson}").text) for lesson in LESSONS]


def test_the_pages_show_each_version_whole(learner_client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    """The markers this file relies on, checked once without concurrency."""
    assert versions_shown(learner_client) == [1, 1, 1]
    saved = save_draft(session, TEST_ACTOR, ModuleFiles(name="sample-module", files=version_two()), source_kind="api")
    publish_module_version(session, TEST_ACTOR, "sample-module", saved.number)
    assert versions_shown(learner_client) == [2, 2, 2]


def test_learners_read_and_complete_lessons_while_versions_are_published(app, db, session, settings, sample_module) -> None:  # type: ignore[no-untyped-def]
    """One thread publishes v2 and v1 in turn; another, as several learners, reads and marks every lesson done.

    Any 5xx, exception, page mixing the versions, or progress that disappears when the version
    changes stops both threads and fails the test.
    """
    saved = save_draft(session, TEST_ACTOR, ModuleFiles(name="sample-module", files=version_two()), source_kind="api")
    assert saved.number == 2 and saved.new
    learners = [make_user(session, settings, employee_id=f"R{n}", email=f"reader{n}@example.com") for n in range(LEARNERS)]
    errors: list[BaseException] = []
    publishes, reads = [0], [0]
    seen: set[int] = set()
    stop = threading.Event()

    def publish() -> None:
        try:
            while not stop.is_set() and publishes[0] < MAX_PUBLISHES and (publishes[0] < MIN_PUBLISHES or reads[0] < MIN_READS):
                with db.session() as publishing:
                    result = publish_module_version(publishing, TEST_ACTOR, "sample-module", 2 if publishes[0] % 2 == 0 else 1)
                assert result.state == "published"
                publishes[0] += 1
                time.sleep(PAUSE)  # leave the reader the interpreter: publishes spread over its whole run
        except BaseException as error:
            errors.append(error)
            stop.set()

    def read() -> None:
        try:
            clients = [TestClient(app) for _ in learners]
            for client, learner in zip(clients, learners, strict=True):
                sign_in(client, learner.email)
            done: list[set[str]] = [set() for _ in learners]
            turn = 0
            while not stop.is_set() and reads[0] < MAX_READS and (reads[0] < MIN_READS or publishes[0] < MIN_PUBLISHES):
                client, finished = clients[turn % LEARNERS], done[turn % LEARNERS]
                for index, lesson in enumerate(LESSONS):
                    page = client.get(f"/modules/sample-module/lessons/{lesson}")
                    assert page.status_code == 200, (lesson, page.status_code, page.text)
                    seen.add(version_shown(lesson, page.text))
                    assert (DONE in page.text) == (lesson in finished), f"{lesson}: progress lost or invented"
                    posted = client.post(
                        f"/modules/sample-module/lessons/{lesson}/done",
                        data={"csrf_token": csrf_from(page.text)},
                        follow_redirects=False,
                    )
                    assert posted.status_code == 303, (lesson, posted.status_code, posted.text)
                    following = LESSONS[index + 1] if index + 1 < len(LESSONS) else None
                    wanted = f"/modules/sample-module/lessons/{following}" if following else "/modules/sample-module/quiz"
                    assert posted.headers["location"] == wanted
                    finished.add(lesson)
                    reads[0] += 1
                turn += 1
        except BaseException as error:
            errors.append(error)
            stop.set()

    threads = [threading.Thread(target=publish), threading.Thread(target=read)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs"
    assert errors == [], errors
    assert publishes[0] >= MIN_PUBLISHES and reads[0] >= MIN_READS, (publishes, reads, time.monotonic() - started)
    assert seen == {1, 2}, "the reader ran alongside the publishing"

    with db.engine.connect() as connection:
        versions = {version_id_of(connection, "sample-module", number) for number in (1, 2)}
        lessons = table_of(LessonCompletion)
        rows = connection.execute(select(lessons.c.user_id, lessons.c.lesson_slug, lessons.c.version_id)).all()
    assert {row.version_id for row in rows} <= versions
    assert sorted((row.user_id, row.lesson_slug) for row in rows) == sorted(
        (learner.id, lesson) for learner in learners for lesson in LESSONS
    ), "every lesson marked done is recorded once"
