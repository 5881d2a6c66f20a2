"""The admin's competence heat map (mounted in the admin area)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.catalog.deps import VersionsDep
from app.deps import ConnectionDep
from app.reporting.service import GroupBy, competence_report
from app.web import render

router = APIRouter()


@router.get("/reports/competences")
def competence_heat_map(
    request: Request, connection: ConnectionDep, versions: VersionsDep, group_by: GroupBy = GroupBy.department
) -> Response:
    """A plain `def` route: the report reads every employee, so it runs in the thread pool, off the event loop."""
    report = competence_report(connection, versions, group_by)
    return render(request, "reporting/competences.html", {"report": report, "group_by": group_by})
