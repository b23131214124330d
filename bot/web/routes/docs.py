"""/docs and /redoc from assets Mediator serves itself. FastAPI's defaults load Swagger UI and ReDoc from a
CDN, which leaves the pages blank offline; the fastapi-offline package ships both bundles, and we only
point FastAPI's own page builders at them."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse

from bot.web.errors import ApiError

router = APIRouter(include_in_schema=False)
ASSET_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSET_URL = "/docs-assets"
# Only these files are served: the directory belongs to another package and may hold more.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
CACHE = {"Cache-Control": "public, max-age=86400"}


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/docs", response_class=HTMLResponse)
async def swagger(request: Request) -> HTMLResponse:
    root = _root(request)
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} API",
        swagger_js_url=f"{root}{ASSET_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSET_URL}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSET_URL}/favicon.png",
    )


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    root = _root(request)
    return get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} API",
        redoc_js_url=f"{root}{ASSET_URL}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSET_URL}/favicon.png",
        with_google_fonts=False,  # system fonts; Google's would need the network
    )


@router.get(ASSET_URL + "/{name}")
async def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise ApiError(404, "not_found", f"no documentation asset {name!r}", fix="use one of: " + ", ".join(ASSETS))
    return FileResponse(ASSET_DIR / name, media_type=ASSETS[name], headers=CACHE)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    # Browsers ask for it on every page; a 404 puts an error in each page's console.
    return FileResponse(ASSET_DIR / "favicon.png", media_type="image/png", headers=CACHE)
