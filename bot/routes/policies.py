"""The admin policy API at /api/policies (issue 7)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
