"""Staff accounts and device tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from ..domain.calendar import local_time
from ..usecases import accounts
from .base import _hall_id, _refusals, _store, app, user_app


@user_app.command("add")
def user_add(
    name: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    role: Annotated[
        str | None, typer.Option(help="admin, manager, clerk, guide or supervisor (needed for a new user)")
    ] = None,
    hall: Annotated[
        str | None,
        typer.Option(help="the hall the account belongs to (all but an admin and a supervisor have one)"),
    ] = None,
    display_name: Annotated[str | None, typer.Option()] = None,
    staff_no: Annotated[str | None, typer.Option()] = None,
    halls: Annotated[
        str | None,
        typer.Option(help="a supervisor's halls, comma-separated ('*': every hall of this server, the default)"),
    ] = None,
) -> None:
    """Create a staff account, or change what is given of one (a new password ends its sessions)."""
    overseen = [h.strip() for h in halls.split(",") if h.strip()] if halls is not None else None
    with _refusals():
        created = accounts.add_user(_store(), name, password, role, hall, display_name, staff_no, overseen)
    typer.echo(f"user {name}: {'created' if created else 'updated'}")


@user_app.command("list")
def user_list() -> None:
    """The staff accounts: name, role, hall, display name, staff number, and whether disabled."""
    for u in accounts.users(_store()):
        typer.echo(
            f"{u['username']:<16} {u['role']:<10} {u['hall'] or ','.join(u['halls'] or ['(all halls)']):<12} "
            f"{u['display_name']:<10} "
            f"{u['staff_no']:<8}{'' if u['active'] else ' disabled'}"
        )


@user_app.command("rename")
def user_rename(name: str, new_name: str) -> None:
    """A new sign-in name for an account (its sessions and history stay)."""
    with _refusals():
        accounts.rename_user(_store(), name, new_name)
    typer.echo(f"user {name}: now {new_name}")


@user_app.command("disable")
def user_disable(name: str) -> None:
    """Shut a staff account out: no sign-in, and its open sessions end (add it again to restore). An
    account is disabled rather than deleted: the audit trail names it."""
    with _refusals():
        accounts.disable_user(_store(), name)
    typer.echo(f"user {name}: disabled")


@app.command("tokens")
def list_tokens(hall: Annotated[str | None, typer.Option(help="only this hall's")] = None) -> None:
    """List device tokens and open sessions by id (the tokens themselves are not stored)."""
    store = _store()
    zones = {}
    for h in store.hall_ids():
        with store.read(h) as r:
            zones[h] = r.hall.timezone

    def local(moment: str, hall: str | None) -> str:
        return local_time(datetime.fromisoformat(moment), zones.get(hall or "", "Asia/Shanghai")).strftime(
            "%Y-%m-%d %H:%M"
        )

    for tok in accounts.tokens(store, hall):
        who = tok["user"] or tok["label"] or tok["kind"] + (f" {tok['window']}号窗口" if tok["window"] else "")
        typer.echo(
            f"{tok['id']}  {tok['kind']:<8} {tok['hall'] or '-':<10} {who:<16} {local(tok['created_at'], tok['hall'])}"
            + (f"  until {local(tok['expires_at'], tok['hall'])}" if tok["expires_at"] else "")
        )


@app.command("revoke-token")
def revoke_token(token: Annotated[str, typer.Argument(help="the token, or its id from `hallq tokens`")]) -> None:
    """Revoke a token (a lost kiosk's or display's, or a session): refused within seconds."""
    with _refusals():
        n = accounts.revoke_token(_store(), token)
    if not n:
        typer.echo("no such token", err=True)
        raise typer.Exit(1)
    typer.echo("revoked")


@app.command("device-token")
def device_token(
    kind: Annotated[
        str, typer.Option(help="kiosk, display, guide, rating, window (a window agent) or shipper (hallq ship-log)")
    ],
    hall: Annotated[str | None, typer.Option(help="default: the database's only hall")] = None,
    window: Annotated[int | None, typer.Option(help="a rating or window device's window")] = None,
    label: Annotated[str, typer.Option(help="which device holds it, e.g. 1号自助机 (shown by `tokens`)")] = "",
) -> None:
    """Print a new device token (alone on stdout) for a kiosk, display, guide tablet, a window's rating device,
    window agent or log shipper."""
    with _refusals():
        store = _store()
        typer.echo(accounts.device_token(store, _hall_id(store, hall), kind, window, label))
