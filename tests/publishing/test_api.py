"""Publishing through the API: a zip becomes a draft, learners keep the live version, publish and roll back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from app.accounts.tokens import create_api_token
from app.catalog.files import module_zip
from app.events.models import AuditEvent
from tests.conftest import FIXTURE_MODULES
from tests.factories import TEST_ACTOR

LESSON = "sample-module/en/01-passwords.md"


def folder_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


SAMPLE = folder_files(FIXTURE_MODULES / "sample-module")


def zipped(files: dict[str, bytes], name: str = "sample-module") -> bytes:
    return module_zip(name, files)


def edited(old: str, new: str, path: str = "en/01-passwords.md") -> dict[str, bytes]:
    text = SAMPLE[path].decode()
    assert old in text
    return {**SAMPLE, path: text.replace(old, new).encode()}


def token_for(session, *scopes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _, raw = create_api_token(session, TEST_ACTOR, f"tool {'+'.join(scopes)}", list(scopes))
    return {"authorization": f"Bearer {raw}"}


@pytest.fixture
def writer(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return token_for(session, "content:write")


def upload(client, headers, data: bytes, name: str = "module.zip"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/modules", headers=headers, files={"file": (name, data, "application/zip")})


def lesson_text(client) -> str:  # type: ignore[no-untyped-def]
    return client.get("/modules/sample-module/lessons/passwords").text


def test_an_upload_is_a_draft_that_learners_do_not_see_until_it_is_published(  # type: ignore[no-untyped-def]
    client, learner_client, session, writer, sample_module
) -> None:
    response = upload(client, writer, zipped(edited("password manager", "passphrase vault")))
    assert response.status_code == 201, response.text
    assert response.json() == {"slug": "sample-module", "version": 2, "state": "draft"}
    assert "passphrase vault" not in lesson_text(learner_client)

    published = client.post("/api/v1/modules/sample-module/versions/2/publish", headers=writer)
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert "passphrase vault" in lesson_text(learner_client)

    versions = client.get("/api/v1/modules/sample-module/versions", headers=writer).json()
    assert [(v["number"], v["state"]) for v in versions] == [(2, "published"), (1, "superseded")]
    assert versions[0]["created_by"] == "token:tool content:write" and versions[0]["published_by"] == "token:tool content:write"

    rolled_back = client.post("/api/v1/modules/sample-module/versions/1/publish", headers=writer)
    assert rolled_back.status_code == 200
    assert "passphrase vault" not in lesson_text(learner_client)
    actions = [event.action for event in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions[-3:] == ["module.draft_saved", "module.published", "module.published"]


def test_the_same_files_again_give_the_existing_version(client, writer, sample_module) -> None:  # type: ignore[no-untyped-def]
    response = upload(client, writer, zipped(SAMPLE))
    assert response.status_code == 200
    assert response.json() == {"slug": "sample-module", "version": 1, "state": "published"}


def test_a_bare_zip_of_the_files_works_too(client, writer) -> None:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in SAMPLE.items():
            archive.writestr(path, data)
    response = upload(client, writer, buffer.getvalue())
    assert response.status_code == 201, response.text
    assert response.json()["slug"] == "sample-module"


def test_every_problem_comes_back_with_file_and_line_and_nothing_is_stored(client, writer, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    broken = edited("title:", "title: [unclosed")
    quiz = SAMPLE["en/quiz.yaml"].decode().replace("correct: true", "correct: false")
    response = upload(client, writer, zipped({**broken, "en/quiz.yaml": quiz.encode()}))
    assert response.status_code == 422
    problems = response.json()["problems"]
    files = {problem["file"] for problem in problems}
    assert {LESSON, "sample-module/en/quiz.yaml"} <= files
    assert any(problem["line"] for problem in problems if problem["file"] == LESSON)
    versions = client.get("/api/v1/modules/sample-module/versions", headers=writer).json()
    assert [v["number"] for v in versions] == [1]


def test_a_diff_shows_what_changed_file_by_file(client, writer, sample_module) -> None:  # type: ignore[no-untyped-def]
    upload(client, writer, zipped(edited("password manager", "passphrase vault")))
    diff = client.get("/api/v1/modules/sample-module/versions/1/diff/2", headers=writer)
    assert diff.status_code == 200 and diff.headers["content-type"].startswith("text/x-diff")
    assert f"--- a/{LESSON}\n+++ b/{LESSON}\n" in diff.text
    removed = [line for line in diff.text.splitlines() if line.startswith("-") and "password manager" in line]
    added = [line for line in diff.text.splitlines() if line.startswith("+") and "passphrase vault" in line]
    assert removed and added
    assert "quiz.yaml" not in diff.text, "unchanged files are not in the diff"


def test_a_version_downloads_as_the_zip_it_came_from(client, writer, sample_module) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/modules/sample-module/versions/1/source", headers=writer)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert {name: archive.read(name) for name in archive.namelist()} == {f"sample-module/{p}": d for p, d in SAMPLE.items()}
    again = upload(client, writer, response.content)
    assert again.status_code == 200 and again.json()["version"] == 1, "a round trip is the same version"


def test_a_version_that_no_longer_passes_is_not_published(client, writer, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    """A draft links to another module's lesson; that module's lesson is gone when the draft is published."""
    other = {path.replace("sample-module", "other"): data for path, data in SAMPLE.items()}
    other["module.md"] = SAMPLE["module.md"].replace(b"slug: sample-module", b"slug: other")
    assert upload(client, writer, zipped(other, "other")).status_code == 201
    assert client.post("/api/v1/modules/other/versions/1/publish", headers=writer).status_code == 200
    linking = edited("password manager", "password manager ([see](../other/en/01-passwords.md))")
    assert upload(client, writer, zipped(linking)).status_code == 201
    renamed = dict(other)
    for language in ("en", "fr"):
        renamed[f"{language}/01-pass-phrases.md"] = renamed.pop(f"{language}/01-passwords.md")
    assert upload(client, writer, zipped(renamed, "other")).status_code == 201
    assert client.post("/api/v1/modules/other/versions/2/publish", headers=writer).status_code == 200
    response = client.post("/api/v1/modules/sample-module/versions/2/publish", headers=writer)
    assert response.status_code == 409
    assert "other/passwords" in response.json()["problems"][0]["message"]
    assert client.get("/api/v1/modules/sample-module/versions", headers=writer).json()[0]["state"] == "draft"


def test_unknown_modules_and_versions_are_404(client, writer, sample_module) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/v1/modules/nope/versions", headers=writer).status_code == 404
    assert client.post("/api/v1/modules/sample-module/versions/9/publish", headers=writer).status_code == 404
    assert client.get("/api/v1/modules/sample-module/versions/1/diff/9", headers=writer).status_code == 404
    assert client.get("/api/v1/modules/sample-module/versions/9/source", headers=writer).status_code == 404


def test_tokens_without_content_write_cannot_write_and_no_token_is_401(client, session, sample_module) -> None:  # type: ignore[no-untyped-def]
    reader = token_for(session, "catalog:read")
    reports = token_for(session, "reports:read")
    data = zipped(edited("password manager", "passphrase vault"))
    assert upload(client, reader, data).status_code == 403
    assert client.post("/api/v1/modules/sample-module/versions/1/publish", headers=reader).status_code == 403
    assert client.get("/api/v1/modules/sample-module/versions", headers=reader).status_code == 200
    assert client.get("/api/v1/modules/sample-module/versions", headers=reports).status_code == 403
    assert upload(client, {}, data).status_code == 401
    assert upload(client, {"authorization": "Bearer cooc_wrong"}, data).status_code == 401


def test_a_browser_session_is_not_a_token(admin_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    assert upload(admin_client, {}, zipped(SAMPLE)).status_code == 401
