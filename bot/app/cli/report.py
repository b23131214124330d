"""`mediator report`: a shop's monthly or quarterly mediation report as HTML, CSV or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.app.cli.common import fail, run, settings
from bot.reports.build import SLICES


def report(
    period: Annotated[str, typer.Option("--period", help="a month like 2026-10 or a quarter like 2026-Q4")],
    fmt: Annotated[str, typer.Option("--format", help="html, csv or json")] = "html",
    shop: Annotated[str | None, typer.Option("--shop", help="shop id (default: the only shop)")] = None,
    slice_name: Annotated[str | None, typer.Option("--slice", help=f"one of {', '.join(SLICES)}")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="write here instead of stdout")] = None,
) -> None:
    """Print (or write) a shop's mediation report for a month or a quarter."""
    from bot.reports.build import ReportInputError, parse_period, parse_slice
    from bot.reports.render import FORMATS, render

    if fmt not in FORMATS:
        fail(f"--format: unknown format {fmt!r}; use html, csv or json")
    try:
        period_ = parse_period(period)
        slice_ = parse_slice(slice_name)
    except ReportInputError as err:
        fail(f"--{err.field}: {err.message}; {err.fix}")
    s = settings()

    async def go() -> str | None:
        from sqlalchemy import select

        from bot.app.runtime import build_runtime
        from bot.reports.build import shop_report
        from bot.store.models import Shop

        rt = await build_runtime(s)
        try:
            async with rt.sessions() as session:
                shops = list((await session.execute(select(Shop.id).order_by(Shop.id))).scalars())
            chosen = shop or (shops[0] if len(shops) == 1 else None)
            if chosen is None or chosen not in shops:
                return None
            return render(await shop_report(rt, chosen, period_, slice_), fmt)
        finally:
            await rt.close()

    text = run(go())
    if text is None:
        fail(
            f"--shop: no shop {shop!r}; pick one of `mediator shop list`"
            if shop
            else "--shop: name the shop to report on (see `mediator shop list`)"
        )
    if out_file is None:
        typer.echo(text, nl=False)
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as err:
        fail(f"--out: cannot write {out_file}: {err.strerror}")
    typer.echo(f"wrote {out_file}", err=True)
