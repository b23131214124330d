"""POST /api/reviews: one review, a JSON array of reviews, or {"reviews": [...]}."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from bot.web.deps import runtime, shop_id
from bot.web.errors import ApiError, over_limit
from bot.web.limits import loads_json

router = APIRouter(tags=["reviews"])
MAX_BODY_BYTES = 20 * 1024 * 1024


@router.post(
    "/api/reviews",
    status_code=201,
    summary="Ingest one review or a batch",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": ["object", "array"]}}}}},
)
async def post_reviews(request: Request, shop: str = Depends(shop_id)) -> JSONResponse:
    rt = runtime(request)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise over_limit("the body", len(body), MAX_BODY_BYTES, "bytes", field="(body)", fix="split the batch")
    data: Any = loads_json(body, fix="send a JSON object or array with Content-Type: application/json")
    if isinstance(data, dict) and set(data) == {"reviews"}:
        data = data["reviews"]
    if isinstance(data, list):
        return await _batch(rt, shop, data)
    [result] = await rt.intake.ingest(shop, [data])
    if result.status == "error":
        return JSONResponse({"error": "invalid_review", "errors": result.errors}, status_code=422)
    return JSONResponse(_single(result.as_dict()), status_code=201 if result.status == "created" else 200)


def _single(d: dict[str, Any]) -> dict[str, Any]:
    return {"review_id": d["review_id"], "case_id": d["case_id"], "triage": d["triage"], "status": d["status"]}


async def _batch(rt: Any, shop: str, items: list[Any]) -> JSONResponse:
    limit = rt.settings.intake.max_batch
    if not items:
        raise ApiError(422, "empty_batch", "the batch has no reviews", field="reviews", fix="send at least one review")
    if len(items) > limit:
        raise over_limit(
            "the batch",
            len(items),
            limit,
            "reviews",
            field="reviews",
            fix=f"send at most {limit} per request (intake.max_batch)",
        )
    results = await rt.intake.ingest(shop, items)
    counts = {s: sum(r.status == s for r in results) for s in ("created", "duplicate", "error")}
    status = 201 if counts["created"] else (422 if counts["error"] == len(results) else 200)
    return JSONResponse({"results": [r.as_dict() for r in results], **counts}, status_code=status)
