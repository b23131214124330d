"""Telegram through aiogram 3 (issue 5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
