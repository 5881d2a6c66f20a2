"""Reports for HR and L&D tools: bearer token with `reports:read` only."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.accounts.deps import RequireScope, documented_for_token
from app.accounts.models import Scope
from app.accounts.tokens import TokenInfo
from app.catalog.deps import VersionsDep
from app.deps import ConnectionDep
from app.reporting.service import GroupBy, competence_report, report_as_csv

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
ReportReader = Annotated[TokenInfo, Depends(RequireScope(Scope.reports_read))]


class CompetenceOut(BaseModel):
    id: str
    title: str
    area: str
    target_level: int | None


class CellOut(BaseModel):
    eligible: int = Field(description="employees of the group who can see a module that builds this competence")
    reached: int
    share: float = Field(description="reached / eligible")


class GroupOut(BaseModel):
    group: str
    employees: int
    competences: dict[str, CellOut]


class CompetenceReportOut(BaseModel):
    framework: str
    group_by: GroupBy
    competences: list[CompetenceOut]
    groups: list[GroupOut]


_DOCUMENTED = documented_for_token(Scope.reports_read)


@router.get(
    "/competences",
    response_model=CompetenceReportOut,
    openapi_extra=_DOCUMENTED["openapi_extra"],
    responses={
        200: {"content": {"text/csv": {}}, "description": "the report as JSON, or as CSV with format=csv"},
        **_DOCUMENTED["responses"],
    },
)
def competence_report_api(
    _token: ReportReader,
    connection: ConnectionDep,
    versions: VersionsDep,
    group_by: GroupBy = GroupBy.department,
    format: Literal["json", "csv"] = "json",
) -> Response | CompetenceReportOut:
    """Per group, the share of active employees who reached the course's target level in each DigComp competence.

    A competence the course does not cover has `target_level: null` and no cells.
    """
    report = competence_report(connection, versions, group_by)
    if format == "csv":
        return Response(
            report_as_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="competences-by-{group_by.value}.csv"'},
        )
    return CompetenceReportOut(
        framework=f"DigComp {report.framework.version}",
        group_by=group_by,
        competences=[
            CompetenceOut(id=c.id, title=c.title("en"), area=c.area_id, target_level=report.targets.get(c.id))
            for c in report.framework.competences
        ],
        groups=[
            GroupOut(
                group=group.group,
                employees=group.employees,
                competences={
                    c.id: CellOut(
                        eligible=group.eligible.get(c.id, 0),
                        reached=group.reached.get(c.id, 0),
                        share=round(group.share(c.id), 4),
                    )
                    for c in report.covered_competences
                },
            )
            for group in report.groups
        ],
    )
