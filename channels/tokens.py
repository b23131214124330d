"""Signed, expiring tokens for links we hand to buyers (web chat now, Telegram deep links later).

A token is `<payload>.<signature>`: the payload is base64url JSON, the signature HMAC-SHA256 over it with
the install's secret key, so a forged or edited token is refused without a database lookup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any


class TokenError(ValueError):
    """The token is malformed, forged or expired; the message says which, for the buyer-facing page."""


class TokenExpired(TokenError):
    """A genuine token (its signature checked) past its expiry: its claims are still ours, so the page that
    refuses it can speak the case's language."""

    def __init__(self, message: str, claims: dict[str, Any]):
        super().__init__(message)
        self.claims = claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    """Only the one spelling `_b64` writes (review L6): `mac==`, standard-alphabet letters or stray trailing
    bits would be a second token for the same link, and a token has exactly one form."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("not the canonical form")
    return data


def sign(key: bytes, purpose: str, claims: dict[str, Any], expires_at: datetime) -> str:
    payload = _b64(
        json.dumps({**claims, "p": purpose, "exp": int(expires_at.timestamp())}, separators=(",", ":")).encode()
    )
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:24]
    return f"{payload}.{_b64(mac)}"


def verify(key: bytes, purpose: str, token: str, now: datetime) -> dict[str, Any]:
    try:
        payload, mac = token.split(".")
        expected = hmac.new(key, payload.encode(), hashlib.sha256).digest()[:24]
        if not hmac.compare_digest(expected, _unb64(mac)):
            raise TokenError("this link is not valid")
        claims = json.loads(_unb64(payload))
    except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        if isinstance(exc, TokenError):
            raise
        raise TokenError("this link is not valid") from None
    if not isinstance(claims, dict) or claims.get("p") != purpose:
        raise TokenError("this link is not valid")
    if int(claims.get("exp", 0)) < now.timestamp():
        raise TokenExpired("this link has expired", claims)
    return claims
