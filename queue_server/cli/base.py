"""The `hallq` application and what its commands share: the store of the configured database, the
hall a command is about, and refusals as messages with exit status 2."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import typer

from ..clock import Clock, OffsetClock
from ..domain.errors import DomainError
from ..halls import HallFileError
from ..settings import MissingSecret, get_settings
from ..store.db import make_engine
from ..store.private import keep_private
from ..store.store import Store

app = typer.Typer(help="hallq: queue-calling for government service halls", no_args_is_help=True)
user_app = typer.Typer(help="staff accounts", no_args_is_help=True)
app.add_typer(user_app, name="user")


def _refuse(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


@contextmanager
def _refusals() -> Iterator[None]:
    """What the hall's rules, a hall file or a backup refuse becomes a message and exit status 2."""
    from ..backup import BackupError

    try:
        yield
    except DomainError as e:
        raise _refuse(f"{e.message}\n{e.message_en}") from None
    except (HallFileError, BackupError, MissingSecret) as e:
        raise _refuse(str(e)) from None


def _store(clock: Clock | None = None, create: bool = False) -> Store:
    """The store of the configured database. Only the commands that set a hall up (`create`) may
    make a new one: run from the wrong directory, any other command says so instead of answering
    from an empty database."""
    settings = get_settings()
    path = settings.sqlite_file()
    if not create and path is not None and not path.exists():
        raise _refuse(
            f"hallq: no database at {path} (HALLQ_DATA_DIR={settings.data_dir}, run from {Path.cwd()}).\n"
            "Set HALLQ_DATA_DIR to the hall's data directory, or set one up with `hallq init`."
        )
    keep_private(settings.data_dir, settings.resolved_database_url())
    store = Store(make_engine(settings.resolved_database_url()), clock)
    store.migrate()
    return store


def _hall_id(store: Store, given: str | None) -> str:
    """The hall a command is about: the one given, or the only one the database holds."""
    ids = store.hall_ids()
    where = get_settings().database_label()
    if given is None and len(ids) == 1:
        return ids[0]
    if given is None:
        raise _refuse(
            f"give --hall: {where} holds {', '.join(ids)}"
            if ids
            else f"{where} holds no hall yet: load one with `hallq load-hall FILE`"
        )
    if given not in ids:
        raise _refuse(
            f"no such hall {given!r} in {where}" + (f" (it holds {', '.join(ids)})" if ids else " (it holds none)")
        )
    return given


def _public_url_follows(host: str, port: int) -> None:
    """Tickets' QR codes name HALLQ_PUBLIC_URL; left unset, it follows the port actually served."""
    settings = get_settings()
    if "public_url" not in settings.model_fields_set:
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        os.environ["HALLQ_PUBLIC_URL"] = f"http://{shown}:{port}"
        get_settings.cache_clear()


def _clock(at: str | None) -> Clock:
    if not at:
        return Clock()
    try:
        return OffsetClock(datetime.fromisoformat(at))
    except ValueError as e:
        raise typer.BadParameter(f"--clock {at!r}: {e}") from None


def _day_option(name: str, text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise typer.BadParameter(f"{name} {text!r}: use YYYY-MM-DD, e.g. 2026-11-24") from None


def _serve(host: str, port: int, clock: Clock, workers: int = 1) -> None:
    from ..boot import run

    try:
        started = run(host, port, clock, workers)
    except MissingSecret as e:
        typer.echo(f"hallq: the server does not start. {e}", err=True)
        raise typer.Exit(2) from None
    if not started:
        raise typer.Exit(3)  # the startup failed (logged above)
