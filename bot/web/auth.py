"""Who is calling: the FastAPI dependencies that turn an admin token into an `Admin` (bot/store/admin_tokens.py
keeps the tokens).

Admins sign in as themselves, with a per-person token (`mat_…`), as staff do with theirs (`mst_…`): the shop's
integration API key opens the integration's API, never /admin or /admin/reports, and is refused there by name
rather than as just another wrong token."""

from __future__ import annotations

from fastapi import Header, Request

from bot.store.admin_tokens import TOKEN_PREFIX, Admin, admin_for_token
from bot.web.errors import ApiError

ADMIN_TOKEN_FIX = (
    "sign in with your own admin token (it starts with mat_): `mediator admin token create --name YOU` "
    "issues one; the demo prints the demo admin's"
)


def not_an_admin_token(field: str) -> ApiError:
    """The refusal of the shop's API key (or anything else that is not an admin token) where an admin signs in."""
    return ApiError(
        401,
        "not_an_admin_token",
        "this is not an admin token: the shop's integration API key does not open the admin pages",
        field=field,
        fix=ADMIN_TOKEN_FIX,
    )


async def current_admin(
    request: Request,
    authorization: str | None = Header(None),
    x_api_key: str | None = Header(None, alias="X-Api-Key", include_in_schema=False),
) -> Admin:
    """FastAPI dependency: the admin behind `Authorization: Bearer <token>`."""
    scheme, _, token = (authorization or "").partition(" ")
    if (scheme.lower() != "bearer" or not token.strip()) and x_api_key:
        raise not_an_admin_token("X-Api-Key")
    if scheme.lower() == "bearer" and token.strip() and not token.strip().startswith(TOKEN_PREFIX):
        raise not_an_admin_token("Authorization")
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


async def editor(
    request: Request,
    authorization: str | None = Header(None),
    x_api_key: str | None = Header(None, alias="X-Api-Key", include_in_schema=False),
) -> Admin:
    """FastAPI dependency: an admin who may edit (role `admin`)."""
    admin = await current_admin(request, authorization, x_api_key)
    if not admin.can_edit:
        raise ApiError(
            403,
            "forbidden",
            f"{admin.name} has the staff role, which may only read policies",
            field="Authorization",
            fix="ask an admin, or use a token created with --role admin",
        )
    return admin
