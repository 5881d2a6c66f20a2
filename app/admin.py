"""The admin area: one router under /admin whose admin check covers every page mounted in it."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from app import privacy
from app.accounts import admin as accounts_admin
from app.accounts.deps import admin_viewer
from app.events import pages as events_pages
from app.publishing import pages as publishing_pages
from app.reporting import admin as reporting_admin

router = APIRouter(dependencies=[Depends(admin_viewer)], include_in_schema=False)
for domain_router in (accounts_admin.router, events_pages.router, publishing_pages.router, reporting_admin.router):
    router.include_router(domain_router, prefix="/admin")
router.include_router(privacy.router)
