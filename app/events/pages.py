"""The admin's view of what happened and of what is waiting to leave: the audit log and the outbox.

Mounted in the admin area (`app/admin.py`), which checks the admin role once for all of them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from app.deps import ActorDep, ConnectionDep, RowId, SessionDep
from app.events.models import OutboxState
from app.events.service import AuditFilter, OutboxError, audit_actions, audit_page, outbox_overview, retry_dead_message
from app.web import redirect, render, verify_csrf

router = APIRouter()
AUDIT_PAGE_SIZE = 50


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC)


@router.get("/audit")
def audit_log(
    request: Request,
    connection: ConnectionDep,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: date | None = None,
    until: date | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Who did what and when, newest first; `until` is inclusive (the whole day)."""
    where = AuditFilter(
        actor=actor or None,
        action=action or None,
        since=_start_of(since),
        until=_start_of(until + timedelta(days=1)) if until else None,
    )
    context = {
        "page": audit_page(connection, where, page=page, page_size=AUDIT_PAGE_SIZE),
        "actions": audit_actions(connection),
        "filters": {"actor": actor or "", "action": action or "", "since": since or "", "until": until or ""},
    }
    return render(request, "events/audit.html", context)


@router.get("/outbox")
def outbox_page(request: Request, connection: ConnectionDep, state: OutboxState = OutboxState.dead) -> Response:
    """Messages waiting to leave, delivered, or dead after every retry (which an admin can retry)."""
    return render(request, "events/outbox.html", {"overview": outbox_overview(connection, state)})


@router.post("/outbox/{message_id}/retry", dependencies=[Depends(verify_csrf)])
def retry_message(message_id: RowId, actor: ActorDep, session: SessionDep) -> Response:
    try:
        retry_dead_message(session, actor, message_id)
    except OutboxError as error:
        raise HTTPException(status_code=404, detail=str(error)) from error
    return redirect("/admin/outbox")
