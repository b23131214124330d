"""`mediator buyer erase`: erase a buyer's personal data, as `DELETE /api/buyers/{id}` does
(bot/conversation/erasure.py says what goes and what stays)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from bot.app.cli.common import fail, run, settings

buyer_app = typer.Typer(help="A buyer's personal data: erase it on request.", no_args_is_help=True)


@buyer_app.command("erase")
def erase(
    who: Annotated[str, typer.Argument(help="the buyer's id (a case's buyer_id), e-mail or phone number")],
    shop: Annotated[str | None, typer.Option("--shop", help="shop id (default: the only shop)")] = None,
) -> None:
    """Erase a buyer's name, contacts and message texts; reports keep counting their cases. Idempotent."""
    s = settings()

    async def go() -> tuple[str, dict[str, object] | None]:
        from sqlalchemy import select

        from bot.app.runtime import build_runtime
        from bot.conversation.erasure import erase_buyer, find_buyer
        from bot.store.models import Shop

        rt = await build_runtime(s)
        try:
            async with rt.sessions() as session, session.begin():
                shops = list((await session.execute(select(Shop.id).order_by(Shop.id))).scalars())
                chosen = shop or (shops[0] if len(shops) == 1 else None)
                if chosen is None or chosen not in shops:
                    return "shop", None
                buyer_id = await find_buyer(session, chosen, who)
                done = None
                if buyer_id is not None:
                    done = await erase_buyer(
                        session,
                        chosen,
                        buyer_id,
                        rt.clock.now(),
                        actor="cli",
                        role="admin",
                        callback_url=rt.settings.callback_url(chosen),
                    )
                return chosen, done.as_dict() if done else None
        finally:
            await rt.close()

    chosen, done = run(go())
    if chosen == "shop":
        fail(
            f"--shop: no shop {shop!r}; pick one of `mediator shop list`"
            if shop
            else "--shop: name the buyer's shop (see `mediator shop list`)"
        )
    if done is None:
        fail(f"no buyer {who!r} in shop {chosen!r}: give the id from a case's buyer_id, or the e-mail or phone")
    typer.echo(json.dumps({"erased": True, **done}))
