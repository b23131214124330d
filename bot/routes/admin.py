"""The admin pages at /admin (issue 7)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
