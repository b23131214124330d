"""Who is calling: the FastAPI dependencies that turn an admin token into an `Admin` (bot/store/admin_tokens.py
keeps the tokens)."""

from __future__ import annotations

from fastapi import Header, Request

from bot.store.admin_tokens import Admin, admin_for_token
from bot.web.errors import ApiError


async def current_admin(request: Request, authorization: str | None = Header(None)) -> Admin:
    """FastAPI dependency: the admin behind `Authorization: Bearer <token>`."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthorized",
            "missing admin token",
            field="Authorization",
            fix="send `Authorization: Bearer <token>`; `mediator admin token create` issues one",
        )
    async with request.app.state.runtime.sessions() as session:
        admin = await admin_for_token(session, token.strip())
    if admin is None:
        raise ApiError(
            401,
            "unauthorized",
            "unknown or revoked admin token",
            field="Authorization",
            fix="check the token; `mediator admin token create` issues a new one",
        )
    return admin


async def editor(request: Request, authorization: str | None = Header(None)) -> Admin:
    """FastAPI dependency: an admin who may edit (role `admin`)."""
    admin = await current_admin(request, authorization)
    if not admin.can_edit:
        raise ApiError(
            403,
            "forbidden",
            f"{admin.name} has the staff role, which may only read policies",
            field="Authorization",
            fix="ask an admin, or use a token created with --role admin",
        )
    return admin
