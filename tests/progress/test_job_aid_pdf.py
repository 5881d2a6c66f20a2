"""The job aid as a PDF file: one or two A4 pages in the learner's language, with the facts' check date."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from app.config import PROJECT_ROOT
from app.publishing.service import import_module_folders
from tests.factories import TEST_ACTOR, load_folder

MODULE = PROJECT_ROOT / "modules" / "internet-security"


@pytest.fixture
def security_module(session) -> str:  # type: ignore[no-untyped-def]
    assert import_module_folders(session, TEST_ACTOR, [MODULE]).ok
    return "internet-security"


def text_of(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_job_aid_downloads_as_a_pdf_in_the_learners_language(learner_client, security_module, language: str) -> None:  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf_token" value="([^"]+)"', learner_client.get("/catalog").text)
    assert token
    learner_client.post("/language", data={"csrf_token": token.group(1), "language": language})
    response = learner_client.get("/modules/internet-security/job-aid.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="internet-security-job-aid-{language}.pdf"'
    pages, text = text_of(response.content)
    aid = load_folder(MODULE).job_aids[language]
    first_heading = re.search(r"<h2[^>]*>([^<]+)</h2>", aid.rendered.html)
    assert first_heading
    assert 1 <= pages <= 2
    assert aid.title.replace("\u202f", " ") in text.replace("\u00a0", " ")
    assert first_heading.group(1).replace("\u202f", " ") in text.replace("\u00a0", " ")
    assert "2026" in text, "the day the facts were checked"


def test_the_job_aid_page_offers_the_pdf(learner_client, security_module) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/modules/internet-security/job-aid.pdf"' in learner_client.get("/modules/internet-security/job-aid").text


def test_a_module_without_a_job_aid_has_no_pdf(learner_client, sample_module) -> None:  # type: ignore[no-untyped-def]
    assert learner_client.get("/modules/sample-module/job-aid.pdf").status_code == 404


def test_every_shipped_job_aid_lays_out_on_one_or_two_pages_in_every_language() -> None:
    from app.catalog.files import discover_module_folders
    from app.catalog.job_aid_pdf import job_aid_pdf

    for folder in discover_module_folders(PROJECT_ROOT / "modules"):
        module = load_folder(folder)
        for language, aid in module.job_aids.items():
            pdf = job_aid_pdf(
                module_title=module.manifest.title[language],
                title=aid.title,
                body_html=aid.rendered.html,
                checked_on=module.manifest.checked_on,
                checked_label="checked",
            )
            pages, text = text_of(pdf)
            assert 1 <= pages <= 2 and "checked" in text, (module.slug, language, pages)


def test_a_job_aid_the_layout_cannot_take_gets_a_clear_answer(learner_client, security_module, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import app.progress.pages as pages

    def refuse(**_kwargs: object) -> bytes:
        raise NotImplementedError("Unsupported nested HTML tags")

    monkeypatch.setattr(pages, "job_aid_pdf", refuse)
    response = learner_client.get("/modules/internet-security/job-aid.pdf")
    assert response.status_code == 501 and "print it from its page" in response.text
