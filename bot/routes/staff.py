"""The staff inbox page at /staff, for deployments without Slack (issue 6)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
