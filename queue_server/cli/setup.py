"""Setting a hall server up and keeping it: init, load-hall, migrate, serve, clear-day, backup, restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..halls import HallFileError, read_hall
from ..logging_setup import setup_from
from ..settings import get_settings
from ..usecases import accounts, halls, trial
from .base import _clock, _hall_id, _public_url_follows, _refusals, _refuse, _serve, _store, app


@app.command()
def init(
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="the administrator's password (asked for when not given)",
        ),
    ],
    admin: Annotated[str, typer.Option(help="the first administrator's sign-in name")] = "admin",
    display_name: Annotated[str, typer.Option()] = "管理员",
) -> None:
    """Set up a hall server's data: the database (in HALLQ_DATA_DIR, or HALLQ_DATABASE_URL), the key of
    the ID-number hashes, and the first administrator. No demo accounts, no device tokens."""
    settings = get_settings()
    with _refusals():
        settings.secret_key()  # made now (or its absence refused on PostgreSQL), so the first backup holds it
        store = _store(create=True)
        if accounts.users(store):
            raise _refuse(
                f"hallq init: {settings.database_label()} is set up already (it has accounts); "
                "add more with `hallq user add`"
            )
        accounts.add_user(store, admin, password, "admin", None, display_name, "")
    typer.echo(f"""hallq is set up in {settings.database_label()}, administrator {admin!r}. Next:
  hallq load-hall YOUR-HALL.yaml           (docs/hall-file.md; queue_server/halls/example.yaml to start from)
  hallq user add NAME --role clerk --hall HALL --display-name … --staff-no …
  hallq device-token --hall HALL --kind kiosk --label 1号自助机
  hallq serve --host 0.0.0.0 --port 8000   (with HALLQ_PUBLIC_URL set to the address phones reach)""")


@app.command("load-hall")
def load_hall(
    file: Path,
    shipped: Annotated[
        bool,
        typer.Option(
            "--shipped",
            help="the hall runs on a server of its own, which ships its log here (`hallq ship-log`): "
            "read-only here, its figures from that log",
        ),
    ] = False,
) -> None:
    """Create or update a hall from its YAML file (loading the same file twice changes nothing)."""
    try:
        hall = read_hall(file)
    except HallFileError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2) from None
    with _refusals():
        changed = halls.load_hall(_store(create=True), hall, shipped=shipped)
    typer.echo(
        f"hall {hall.id}: {'loaded' if changed else 'unchanged'}{' as shipped' if shipped else ''} "
        f"({len(hall.services)} services, {len(hall.windows)} windows) in {get_settings().database_label()}"
    )


@app.command()
def migrate() -> None:
    """Bring the database's schema up to this version (the server also does it when it starts)."""
    _store(create=True)
    typer.echo(f"{get_settings().database_label()}: at the current schema")


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    clock: Annotated[
        str | None, typer.Option(help="start the hall clock at this moment, e.g. 2026-11-24T10:00:00+08:00")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, envvar="HALLQ_WORKERS", help="server processes sharing the port (PostgreSQL only)")
    ] = 1,
) -> None:
    """Run the queue server."""
    _public_url_follows(host, port)
    settings = get_settings()
    setup_from(settings)
    if workers > 1 and settings.resolved_database_url().startswith("sqlite"):
        typer.echo(
            f"hallq serve --workers {workers}: on SQLite the server runs as one process. "
            "Several processes need PostgreSQL: set HALLQ_DATABASE_URL=postgresql://… "
            "(they share its event sequence and see each other's events).",
            err=True,
        )
        raise typer.Exit(2)
    with _refusals():
        settings.secret_key()
    if not _store(create=True).hall_ids():
        typer.echo(
            f"hallq serve: {settings.database_label()} holds no hall yet; load one with `hallq load-hall FILE`",
            err=True,
        )
    _serve(host, port, _clock(clock), workers)


@app.command("clear-day")
def clear_day(
    hall: Annotated[str | None, typer.Option(help="the hall (needed when the database holds several)")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
    clock: Annotated[str | None, typer.Option(hidden=True, help="the moment `serve --clock` runs the hall at")] = None,
) -> None:
    """After a trial run, before go-live: remove today's tickets so that the first citizen gets 001 and
    today's reports start from nothing. The windows are closed (clerks sign in again); the event log
    keeps the trial, marked as cleared."""
    with _refusals():
        store = _store(_clock(clock))
        hall_id = _hall_id(store, hall)
        counts = trial.today_counts(store, hall_id)
        typer.echo(
            f"{hall_id}: today's {counts['tickets']} tickets go, and {counts['windows']} windows signed in "
            "are closed. Anyone holding one of these tickets loses their place."
        )
        if not yes and not typer.confirm("Clear today?"):
            raise typer.Exit(1)
        gone = trial.clear_today(store, hall_id)
    typer.echo(f"{hall_id}: {gone} tickets cleared; the next ticket of each service is 001")


@app.command("backup")
def backup_cmd(
    out: Annotated[Path, typer.Argument(help="the archive to write, e.g. /backup/hallq-2026-11-24.tar.gz")],
) -> None:
    """A consistent copy of the SQLite database and the ID-hash key, safe while the server runs."""
    from .. import backup

    settings = get_settings()
    key = None if settings.secret else settings.data_dir.resolve() / backup.KEY_NAME
    try:
        summary = backup.backup(settings.resolved_database_url(), key if key and key.exists() else None, out)
    except backup.BackupError as e:
        typer.echo(f"hallq backup: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{out}: {summary.tickets} tickets, {summary.events} events, halls {summary.halls}")
    if settings.secret:
        typer.echo("the ID-hash key is HALLQ_SECRET, not in the archive: keep it with the backup", err=True)


@app.command("restore")
def restore_cmd(
    archive: Path,
    data_dir: Annotated[Path, typer.Option(help="a new, empty data directory to restore into")],
) -> None:
    """Unpack a `hallq backup` archive into a new data directory and check it."""
    from .. import backup

    try:
        summary = backup.restore(archive, data_dir)
    except backup.BackupError as e:
        typer.echo(f"hallq restore: {e}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{data_dir}: {summary.tickets} tickets, {summary.events} events, halls {summary.halls}; "
        f"serve it with HALLQ_DATA_DIR={data_dir.resolve()}"
    )
