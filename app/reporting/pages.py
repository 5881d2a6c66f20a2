"""The admin's competence heat map."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.accounts.deps import AdminViewer
from app.deps import database
from app.reporting.service import GroupBy, competence_report
from app.web import render

router = APIRouter()


@router.get("/admin/reports/competences")
async def competence_heat_map(request: Request, viewer: AdminViewer, group_by: GroupBy = GroupBy.department) -> Response:
    report = await database(request).read(competence_report, group_by)
    return render(request, "reporting/competences.html", {"report": report, "group_by": group_by})
