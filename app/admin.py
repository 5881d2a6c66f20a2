"""The admin area under /admin: one role check for each group of pages, admins for people and reports,
admins or editors for content."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app import privacy
from app.accounts import admin as accounts_admin
from app.accounts.deps import admin_viewer, content_editor
from app.events import pages as events_pages
from app.publishing import pages as publishing_pages
from app.reporting import admin as reporting_admin

router = APIRouter(include_in_schema=False)
admin_only = APIRouter(dependencies=[Depends(admin_viewer)])
for domain_router in (accounts_admin.router, events_pages.router, reporting_admin.router):
    admin_only.include_router(domain_router, prefix="/admin")
admin_only.include_router(privacy.router)
router.include_router(admin_only)
router.include_router(publishing_pages.router, prefix="/admin", dependencies=[Depends(content_editor)])
