"""The confirmation step of publish and rollback (issue 21): nothing takes effect on one click.

The first request (without `confirm`) validates, changes nothing, and answers 428 with the diff and a token;
the second, carrying that token, applies. The token is an HMAC, under the install's secret key, of the shop,
the action, the version the change is based on and a digest of exactly what would be published, so it
confirms that one change: a different draft, another base version or another shop needs a new diff and a
new confirmation. It holds no state, so any worker can check it."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from fastapi.responses import JSONResponse

PREFIX = "c1."


def confirm_token(secret: bytes, shop_id: str, action: str, base_version: int | None, what: Any) -> str:
    digest = hashlib.sha256(json.dumps(what, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    message = f"{shop_id}\n{action}\n{base_version}\n{digest}".encode()
    return PREFIX + hmac.new(secret, message, hashlib.sha256).hexdigest()


def confirmed(token: str | None, expected: str) -> bool:
    return bool(token) and hmac.compare_digest(str(token), expected)


def confirm_needed(token: str, diff: str, what: str, *, wrong: bool = False) -> JSONResponse:
    """428: what would change, and the token that applies exactly that."""
    message = (
        "the confirmation does not match this change (it was given for another draft or version)"
        if wrong
        else f"nothing is applied yet: check the diff, then confirm to {what}"
    )
    return JSONResponse(
        {
            "error": "confirm_needed",
            "message": message,
            "field": "confirm",
            "fix": "send the same request again with the `confirm` token from this answer",
            "confirm": token,
            "diff": diff,
        },
        status_code=428,
    )
