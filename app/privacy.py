"""A person's GDPR rights across domains: the export of everything cooc holds about them, and erasure.

Each domain says what it holds about a person; this module, above them all, puts the answers
together, so no domain has to know about the others.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Path
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.deps import ActingPerson
from app.accounts.events import PersonalDataExported, PersonErased
from app.accounts.people import (
    AccountError,
    anonymise_employee,
    get_user_by_employee_id,
    personal_records,
    require_employee,
)
from app.actor import Actor
from app.deps import SessionDep
from app.events.service import audit_records_about, pseudonymise_audit_entries, record_event
from app.i18n import N_, Message
from app.mentoring.service import forget_participation, participation_records
from app.progress.service import progress_records
from app.web import redirect, verify_csrf

router = APIRouter()


def export_personal_data(session: Session, actor: Actor, employee_id: str) -> dict[str, Any] | None:
    """Everything held about one person, as one JSON document; the export itself is audited."""
    user = get_user_by_employee_id(session, employee_id)
    if user is None or user.id is None:
        return None
    connection = session.connection()
    event = PersonalDataExported(employee_id)
    document = {
        "exported_at": datetime.now(UTC).isoformat(),
        "employee_id": employee_id,
        "accounts": personal_records(connection, user.id),
        "progress": progress_records(connection, user.id),
        "mentoring": participation_records(connection, user.id),
        "audit_log": audit_records_about(connection, user.id, event.subject),
    }
    record_event(session, actor, event)
    session.commit()
    return document


def erase_person(session: Session, actor: Actor, employee_id: str) -> str:
    """Erase a person (GDPR Art. 17) everywhere at once; return the alias their anonymous records keep.

    Progress rows stay attached to the anonymous account, so completion counts per department stay
    true; the audit log keeps its entries with the alias in place of the person's identifiers.
    """
    user = require_employee(session, employee_id)
    assert user.id is not None
    if user.id == actor.user_id:
        raise AccountError(Message(N_("you cannot erase your own account")))
    user_id = user.id
    alias, former_email = anonymise_employee(session, user_id)
    forget_participation(session, user_id)
    changed = pseudonymise_audit_entries(
        session.connection(),
        user_id,
        alias,
        {f"employee:{employee_id}": f"employee:{alias}", f"login:{former_email}": f"login:{alias}"},
    )
    record_event(session, actor, PersonErased(alias, audit_entries_pseudonymised=changed))
    session.commit()
    return alias


@router.post("/admin/people/{employee_id}/erase", dependencies=[Depends(verify_csrf)])
def erase_person_page(
    actor: ActingPerson,
    session: SessionDep,
    employee_id: Annotated[str, Path(max_length=64)],
    confirm: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The admin types the employee id again to confirm: an erasure cannot be undone."""
    if confirm.strip() != employee_id:
        raise HTTPException(status_code=400, detail="Type the employee id to confirm the erasure; nothing was changed.")
    try:
        alias = erase_person(session, actor, employee_id)
    except AccountError as error:
        raise HTTPException(status_code=400, detail=str(error)) from error
    return redirect(f"/admin/people/{alias}")


@router.post("/admin/people/{employee_id}/export", dependencies=[Depends(verify_csrf)])
def download_personal_data(
    actor: ActingPerson, session: SessionDep, employee_id: Annotated[str, Path(max_length=64)]
) -> Response:
    document = export_personal_data(session, actor, employee_id)
    if document is None:
        raise HTTPException(status_code=404, detail="No such employee")
    name = quote(f"cooc-personal-data-{employee_id}.json", safe="")
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2, default=str),
        media_type="application/json",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}", "Cache-Control": "no-store"},
    )
