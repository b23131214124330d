"""Reports: /api/reports and the dashboard at /admin/reports (issue 8)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
