"""`mediator staff add|list|remove`: the people who answer buyers in /staff, each with a token of their own
(bot/store/staff_accounts.py). The shop's integration API key does not open /staff."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app.cli.common import fail, out
from bot.app.cli.policy import _now, _run

staff_app = typer.Typer(help="Staff accounts for the /staff inbox: one per person.", no_args_is_help=True)
ShopArg = Annotated[str, typer.Argument(help="shop id (`mediator shop list` shows them)")]
NameArg = Annotated[str, typer.Argument(help="the person's name, as buyers will see it, e.g. 'Maja'")]


@staff_app.command("add")
def add(shop: ShopArg, name: NameArg) -> None:
    """Create a staff account and print its sign-in token once."""
    from bot.store.staff_accounts import add_account

    async def work(session: AsyncSession) -> str:
        try:
            return await add_account(session, shop, name, _now())
        except ValueError as exc:
            fail(str(exc))

    token = _run(work)
    out.print(f"staff account {' '.join(name.split())!r} (shop {shop}): {token}", highlight=False, soft_wrap=True)
    out.print("Shown once: hand it to the person; they paste it at /staff to sign in.", highlight=False)


@staff_app.command("list")
def list_(
    shop: Annotated[str | None, typer.Argument(help="shop id (default: every shop)")] = None,
    removed: Annotated[bool, typer.Option("--removed", help="also list removed accounts")] = False,
) -> None:
    """List staff accounts (never their tokens: only their hashes are stored)."""
    from bot.store.staff_accounts import list_accounts

    accounts = _run(lambda session: list_accounts(session, shop, removed))
    table = Table("shop", "name", "created", *(["removed"] if removed else []))
    for a in accounts:
        row = [a.shop_id, a.name, a.created_at.strftime("%Y-%m-%d %H:%M UTC")]
        if removed:
            row.append(a.removed_at.strftime("%Y-%m-%d %H:%M UTC") if a.removed_at else "")
        table.add_row(*row)
    out.print(table if accounts else "no staff accounts; `mediator staff add SHOP NAME` creates one")


@staff_app.command("remove")
def remove(shop: ShopArg, name: NameArg) -> None:
    """Remove a staff account: its token stops working and its open sessions end at once."""
    from bot.store.staff_accounts import remove_account

    async def work(session: AsyncSession) -> int:
        try:
            return await remove_account(session, shop, name, _now())
        except ValueError as exc:
            fail(str(exc))

    ended = _run(work)
    out.print(f"removed staff account {name!r} of shop {shop}; {ended} open session(s) ended", highlight=False)
