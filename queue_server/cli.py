"""The `hallq` command."""
from __future__ import annotations

import json
import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer

from .clock import Clock, OffsetClock
from .domain.calendar import business_day, day_start, local_time
from .domain.errors import DomainError
from .halls import DEMO, HallFileError, read_hall
from .logging_setup import setup_logging
from .settings import get_settings
from .store.db import make_engine
from .store.store import Store
from .usecases import accounts, halls

app = typer.Typer(help="hallq: queue-calling for government service halls", no_args_is_help=True)
user_app = typer.Typer(help="staff accounts", no_args_is_help=True)
app.add_typer(user_app, name="user")

DEMO_PASSWORD = "demo1234"
DEMO_USERS = [
    ("admin", "admin", "管理员", "A001"),
    ("manager", "manager", "李主任", "M001"),
    ("guide", "guide", "赵引导", "G001"),
    ("clerk1", "clerk", "王芳", "C001"),
    ("clerk2", "clerk", "陈晨", "C002"),
    ("clerk3", "clerk", "刘洋", "C003"),
    ("clerk4", "clerk", "张静", "C004"),
    ("clerk5", "clerk", "杨帆", "C005"),
    ("clerk6", "clerk", "黄磊", "C006"),
]


def _store(clock: Clock | None = None) -> Store:
    store = Store(make_engine(get_settings().resolved_database_url()), clock)
    store.migrate()
    return store


def _clock(at: str | None) -> Clock:
    if not at:
        return Clock()
    try:
        return OffsetClock(datetime.fromisoformat(at))
    except ValueError as e:
        raise typer.BadParameter(f"--clock {at!r}: {e}") from None


_WORKER_CLOCK = "HALLQ_WORKER_CLOCK"  # "<iso moment>|<unix time>": the hall clock each worker starts from


def _serve(host: str, port: int, clock: Clock, workers: int = 1) -> None:
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    settings = get_settings()
    options = dict(
        host=host, port=port, log_level=settings.log_level.lower(),
        # Each event is serialised once for every client; per-client compression would undo that.
        ws_per_message_deflate=False,
        ws_ping_interval=settings.ws_ping_seconds, ws_ping_timeout=settings.ws_ping_seconds,
    )
    if workers == 1:
        from .api.app import create_app

        config = uvicorn.Config(create_app(settings, clock), **options)
    else:
        if isinstance(clock, OffsetClock):
            os.environ[_WORKER_CLOCK] = f"{clock.now().isoformat()}|{time.time()}"
        _store()  # migrate once here, not in every worker at the same moment
        config = uvicorn.Config("queue_server.cli:worker_app", factory=True, workers=workers, **options)
    sock = config.bind_socket()
    if settings.socket_send_buffer:
        # Inherited by every accepted connection: a stalled client holds little in the kernel, so
        # its stream backs up into its own queue and it is dropped (ws_client_buffer).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, settings.socket_send_buffer)
    if workers == 1:
        server = uvicorn.Server(config)
        server.run(sockets=[sock])
        if not server.started:
            raise typer.Exit(3)  # the startup failed (logged above)
    else:
        Multiprocess(config, sockets=[sock]).run()


def worker_app():
    """The app of one uvicorn worker process (`serve --workers N`)."""
    from .api.app import create_app

    clock: Clock = Clock()
    if os.environ.get(_WORKER_CLOCK):
        at, since = os.environ[_WORKER_CLOCK].split("|")
        clock = OffsetClock(datetime.fromisoformat(at) + timedelta(seconds=time.time() - float(since)))
    setup_logging(get_settings().log_level)
    return create_app(get_settings(), clock)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    clock: Annotated[Optional[str], typer.Option(help="start the hall clock at this moment, e.g. 2026-11-24T10:00:00+08:00")] = None,
    workers: Annotated[int, typer.Option(min=1, envvar="HALLQ_WORKERS",
                                         help="server processes sharing the port (PostgreSQL only)")] = 1,
) -> None:
    """Run the queue server."""
    settings = get_settings()
    setup_logging(settings.log_level)
    if workers > 1 and settings.resolved_database_url().startswith("sqlite"):
        typer.echo(f"hallq serve --workers {workers}: on SQLite the server runs as one process. "
                   "Several processes need PostgreSQL: set HALLQ_DATABASE_URL=postgresql://… "
                   "(they share its event sequence and see each other's events).", err=True)
        raise typer.Exit(2)
    _serve(host, port, _clock(clock), workers)


@app.command("load-hall")
def load_hall(file: Path) -> None:
    """Create or update a hall from its YAML file (loading the same file twice changes nothing)."""
    try:
        hall = read_hall(file)
    except HallFileError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2)
    try:
        changed = halls.load_hall(_store(), hall)
    except DomainError as e:
        typer.echo(f"{e.message}\n{e.message_en}", err=True)
        raise typer.Exit(2)
    typer.echo(f"hall {hall.id}: {'loaded' if changed else 'unchanged'} "
               f"({len(hall.services)} services, {len(hall.windows)} windows)")


@user_app.command("add")
def user_add(
    name: str,
    role: Annotated[str, typer.Option(help="admin, manager, clerk or guide")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    hall: Annotated[Optional[str], typer.Option(help="the hall the account belongs to")] = None,
    display_name: str = "",
    staff_no: str = "",
) -> None:
    """Create a staff account (or update it)."""
    from .domain.errors import DomainError

    try:
        created = accounts.add_user(_store(), name, password, role, hall, display_name, staff_no)
    except DomainError as e:
        typer.echo(f"{e.message_en} ({e.message})", err=True)
        raise typer.Exit(2)
    typer.echo(f"user {name}: {'created' if created else 'updated'}")


@user_app.command("disable")
def user_disable(name: str) -> None:
    """Shut a staff account out: no sign-in, and its open sessions end (add it again to restore)."""
    from .domain.errors import DomainError

    try:
        accounts.disable_user(_store(), name)
    except DomainError as e:
        typer.echo(e.message_en, err=True)
        raise typer.Exit(2)
    typer.echo(f"user {name}: disabled")


@app.command("tokens")
def list_tokens(hall: Annotated[Optional[str], typer.Option(help="only this hall's")] = None) -> None:
    """List device tokens and open sessions by id (the tokens themselves are not stored)."""
    for tok in accounts.tokens(_store(), hall):
        who = tok["user"] or tok["kind"]
        typer.echo(f"{tok['id']}  {tok['kind']:<8} {tok['hall'] or '-':<10} {who:<12} {tok['created_at']}"
                   + (f"  until {tok['expires_at']}" if tok["expires_at"] else ""))


@app.command("revoke-token")
def revoke_token(token: Annotated[str, typer.Argument(help="the token, or its id from `hallq tokens`")]) -> None:
    """Revoke a token (a lost kiosk's or display's, or a session): refused within seconds."""
    from .domain.errors import DomainError

    try:
        n = accounts.revoke_token(_store(), token)
    except DomainError as e:
        typer.echo(e.message_en, err=True)
        raise typer.Exit(2)
    if not n:
        typer.echo("no such token", err=True)
        raise typer.Exit(1)
    typer.echo("revoked")


@app.command("device-token")
def device_token(hall: Annotated[str, typer.Option()], kind: Annotated[str, typer.Option(help="kiosk, display or guide")]) -> None:
    """Print a new device token (alone on stdout) for a kiosk, display or guide tablet."""
    from .domain.errors import DomainError

    try:
        typer.echo(accounts.device_token(_store(), hall, kind))
    except DomainError as e:
        typer.echo(e.message_en, err=True)
        raise typer.Exit(2)


@app.command("export-day")
def export_day(
    hall: Annotated[str, typer.Option()] = "demo",
    day: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Write a business day's events (the audit trail) to stdout as JSON lines."""
    store = _store()
    with store.read(hall) as r:
        h = r.hall
        d = date.fromisoformat(day) if day else business_day(store.clock.now(), h.timezone, h.day_boundary_hour)
        start = day_start(d, h.timezone, h.day_boundary_hour)
        end = start + timedelta(days=1)
        for ev in r.events_after(0):
            if start <= ev.ts < end:
                sys.stdout.write(json.dumps(ev.to_dict(), ensure_ascii=False) + "\n")


def _demo_clock(store: Store) -> tuple[Clock, str | None]:
    """Real time when the demo hall is open; otherwise the next working day at 10:00 (said so)."""
    hall = read_hall(DEMO)
    now = Clock().now()
    local = local_time(now, hall.timezone)
    if any(hall.service_open(s.code, local) for s in hall.services):
        return Clock(), None
    day = local.date() + timedelta(days=1 if local.hour >= 10 else 0)
    while not hall.calendar.is_working_day(day):
        day += timedelta(days=1)
    start = day_start(day, hall.timezone, 10)
    return OffsetClock(start), start.isoformat()


@app.command()
def demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Load the demo hall with demo accounts and devices, then serve it."""
    settings = get_settings()
    setup_logging(settings.log_level)
    store = _store()
    halls.load_hall(store, read_hall(DEMO))
    for username, role, name, staff_no in DEMO_USERS:
        accounts.add_user(store, username, DEMO_PASSWORD, role, None if role == "admin" else "demo", name, staff_no)
    tokens = {kind: accounts.device_token(store, "demo", kind) for kind in ("kiosk", "display", "guide")}
    clock, started = _demo_clock(store)
    base = f"http://{host}:{port}"
    lines = [
        "",
        "hallq demo hall (示范区政务服务中心) is starting",
        f"  hall board        {base}/board.html?hall=demo&token={tokens['display']}",
        f"  window screen     {base}/window.html?hall=demo&window=21&token={tokens['display']}",
        f"  rating pad        {base}/rate.html?hall=demo&window=21  (sign in as the window's clerk)",
        f"  clerk console     {base}/console.html?hall=demo",
        f"  guide tablet      {base}/guide.html?hall=demo&token={tokens['guide']}",
        f"  supervision       {base}/dashboard.html?hall=demo",
        f"  appointments      {base}/book.html?hall=demo",
        f"  API (OpenAPI)     {base}/docs",
        f"  logins            {', '.join(u for u, *_ in DEMO_USERS)}  (password {DEMO_PASSWORD})",
        f"  kiosk token       {tokens['kiosk']}",
        f"  display token     {tokens['display']}",
        f"  guide token       {tokens['guide']}",
        f"  tickets' QR codes {settings.public_url.rstrip('/')}/t/…  (phones must reach it: HALLQ_PUBLIC_URL)",
    ]
    if started:
        lines.append(f"  the hall is closed now: its clock starts at {started} and runs on")
    kiosk = _demo_kiosk(base, tokens["kiosk"], settings.data_dir)
    lines.append("  kiosk             started beside the server, with simulated printer and ID reader" if kiosk else
                 "  kiosk             no screen here; on one: hallq kiosk --config kiosk/example.toml")
    typer.echo("\n".join(lines) + "\n")
    try:
        _serve(host, port, clock)
    finally:
        if kiosk:
            kiosk.terminate()


def _demo_kiosk(base: str, token: str, data_dir: Path):
    """The kiosk beside the demo server where there is a screen (None without one, or without Kivy)."""
    try:
        from kiosk.launch import spawn_for_demo
    except ImportError:
        return None
    return spawn_for_demo(base, "demo", token, data_dir)



def _report_period(day: Optional[str], week: Optional[str], month: Optional[str]) -> tuple[str, Optional[date]]:
    given = [(k, v) for k, v in (("day", day), ("week", week), ("month", month)) if v]
    if len(given) > 1:
        raise typer.BadParameter("give one of --day, --week, --month")
    if not given:
        return "day", None
    period, text = given[0]
    try:
        return period, date.fromisoformat(text + "-01" if period == "month" and len(text) == 7 else text)
    except ValueError:
        raise typer.BadParameter(f"--{period} {text!r}: use YYYY-MM-DD" + (" or YYYY-MM" if period == "month" else ""))


@app.command()
def report(
    hall: Annotated[str, typer.Option()] = "demo",
    day: Annotated[Optional[str], typer.Option(help="a day, YYYY-MM-DD (日报)")] = None,
    week: Annotated[Optional[str], typer.Option(help="any day of the week, Monday to Sunday (周报)")] = None,
    month: Annotated[Optional[str], typer.Option(help="the month, YYYY-MM (月报)")] = None,
    format: Annotated[str, typer.Option(help="text, json, csv or xlsx")] = "text",
    out: Annotated[Optional[Path], typer.Option(help="write to this file instead of stdout (xlsx needs one)")] = None,
) -> None:
    """日清周结月通报: per service, window, clerk, class and hour, recomputed from the event log
    (default: today)."""
    from .domain.errors import DomainError
    from .supervision import export
    from .supervision.source import report_for

    if format not in ("text", "json", "csv", "xlsx"):
        raise typer.BadParameter("--format is text, json, csv or xlsx")
    period, anchor = _report_period(day, week, month)
    try:
        data = report_for(_store(), hall, period, anchor)
    except DomainError as e:
        typer.echo(f"{e.message_en} ({e.message})", err=True)
        raise typer.Exit(2)
    if format == "xlsx":
        body = export.to_xlsx(data)
        out = out or Path(export.filename(data, "xlsx"))
    elif format == "csv":
        body = export.to_csv(data)
    elif format == "json":
        body = (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()
    else:
        body = export.to_text(data).encode()
    if out:
        out.write_bytes(body)
        typer.echo(f"{out}", err=True)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()


@app.command()
def simulate(
    windows: Annotated[str, typer.Option(help="windows for the what-if: a number (12), a change (+2, -1) "
                                              "or window numbers with commas (21,22,26 — one window: 26,)")],
    hall: Annotated[str, typer.Option()] = "demo",
    day: Annotated[Optional[str], typer.Option(help="the day whose log is replayed, YYYY-MM-DD; default today")] = None,
    seed: int = 1,
) -> None:
    """What if: replay a day's arrivals and service times (from its event log) with a different set of
    windows; prints one JSON line: the day as it was, its replay, and the what-if."""
    from .domain.errors import DomainError
    from .supervision.simulation import what_if
    from .supervision.source import period_events, today

    store = _store()
    try:
        with store.read(hall) as r:
            d = date.fromisoformat(day) if day else today(r.hall, store.clock.now())
        h, events = period_events(store, hall, d, d)
    except DomainError as e:
        typer.echo(f"{e.message_en} ({e.message})", err=True)
        raise typer.Exit(2)
    except ValueError as e:
        raise typer.BadParameter(str(e))
    try:
        result = what_if(events, h, day_start(d, h.timezone, h.day_boundary_hour), windows, seed)
    except ValueError as e:
        typer.echo(f"hallq simulate: {e}", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps({"day": d.isoformat()} | result, ensure_ascii=False))


@app.command()
def migrate() -> None:
    """Bring the database's schema up to this version (the server also does it when it starts)."""
    settings = get_settings()
    store = Store(make_engine(settings.resolved_database_url()))
    store.migrate()
    typer.echo(f"database at the current schema: {settings.resolved_database_url().split('@')[-1]}")


@app.command("backup")
def backup_cmd(out: Annotated[Path, typer.Argument(help="the archive to write, e.g. /backup/hallq-2026-11-24.tar.gz")]) -> None:
    """A consistent copy of the SQLite database and the ID-hash key, safe while the server runs."""
    from . import backup

    settings = get_settings()
    key = None if settings.secret else settings.data_dir.resolve() / backup.KEY_NAME
    try:
        summary = backup.backup(settings.resolved_database_url(), key if key and key.exists() else None, out)
    except backup.BackupError as e:
        typer.echo(f"hallq backup: {e}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{out}: {summary.tickets} tickets, {summary.events} events, halls {summary.halls}")
    if settings.secret:
        typer.echo("the ID-hash key is HALLQ_SECRET, not in the archive: keep it with the backup", err=True)


@app.command("restore")
def restore_cmd(
    archive: Path,
    data_dir: Annotated[Path, typer.Option(help="a new, empty data directory to restore into")],
) -> None:
    """Unpack a `hallq backup` archive into a new data directory and check it."""
    from . import backup

    try:
        summary = backup.restore(archive, data_dir)
    except backup.BackupError as e:
        typer.echo(f"hallq restore: {e}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{data_dir}: {summary.tickets} tickets, {summary.events} events, halls {summary.halls}; "
               f"serve it with HALLQ_DATA_DIR={data_dir.resolve()}")


@app.command()
def kiosk(config: Annotated[Path, typer.Option("--config", help="the kiosk's TOML file (see kiosk/example.toml)")]) -> None:
    """Run the self-service kiosk (Kivy, full screen) with the settings in FILE."""
    from kiosk.launch import main as run_kiosk

    raise typer.Exit(run_kiosk(config))


if __name__ == "__main__":
    app()
