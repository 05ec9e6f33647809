"""The `hallq` command."""
from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator, Optional

import typer

from .clock import Clock, OffsetClock
from .domain.calendar import business_day, day_start, local_time
from .domain.errors import DomainError
from .halls import DEMO, HallFileError, read_hall
from .logging_setup import setup_from
from .settings import MissingSecret, get_settings
from .store.db import make_engine
from .store.private import keep_private
from .store.store import Store
from .usecases import accounts, halls, trial

if TYPE_CHECKING:
    from fastapi import FastAPI

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


def _refuse(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


@contextmanager
def _refusals() -> Iterator[None]:
    """What the hall's rules, a hall file or a backup refuse becomes a message and exit status 2."""
    from .backup import BackupError

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
        raise _refuse(f"hallq: no database at {path} (HALLQ_DATA_DIR={settings.data_dir}, run from {Path.cwd()}).\n"
                      "Set HALLQ_DATA_DIR to the hall's data directory, or set one up with `hallq init`.")
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
        raise _refuse(f"give --hall: {where} holds {', '.join(ids)}" if ids else
                      f"{where} holds no hall yet: load one with `hallq load-hall FILE`")
    if given not in ids:
        raise _refuse(f"no such hall {given!r} in {where}" + (f" (it holds {', '.join(ids)})" if ids else " (it holds none)"))
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


_WORKER_CLOCK = "HALLQ_WORKER_CLOCK"  # "<iso moment>|<unix time>": the hall clock each worker starts from


def _serve(host: str, port: int, clock: Clock, workers: int = 1) -> None:
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from .serving import uvicorn_options

    settings = get_settings()
    try:
        settings.secret_key()
    except MissingSecret as e:
        typer.echo(f"hallq: the server does not start. {e}", err=True)
        raise typer.Exit(2)
    keep_private(settings.data_dir, settings.resolved_database_url())
    options = dict(
        host=host, port=port, log_level=settings.log_level.lower(), **uvicorn_options(),
        log_config=None,  # uvicorn's lines go through our one setup, which cuts credentials out of them
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


def worker_app() -> FastAPI:
    """The app of one uvicorn worker process (`serve --workers N`)."""
    from .api.app import create_app

    clock: Clock = Clock()
    if os.environ.get(_WORKER_CLOCK):
        at, since = os.environ[_WORKER_CLOCK].split("|")
        clock = OffsetClock(datetime.fromisoformat(at) + timedelta(seconds=time.time() - float(since)))
    setup_from(get_settings())
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
    _public_url_follows(host, port)
    settings = get_settings()
    setup_from(settings)
    if workers > 1 and settings.resolved_database_url().startswith("sqlite"):
        typer.echo(f"hallq serve --workers {workers}: on SQLite the server runs as one process. "
                   "Several processes need PostgreSQL: set HALLQ_DATABASE_URL=postgresql://… "
                   "(they share its event sequence and see each other's events).", err=True)
        raise typer.Exit(2)
    with _refusals():
        settings.secret_key()
    if not _store(create=True).hall_ids():
        typer.echo(f"hallq serve: {settings.database_label()} holds no hall yet; load one with `hallq load-hall FILE`",
                   err=True)
    _serve(host, port, _clock(clock), workers)


@app.command("load-hall")
def load_hall(file: Path) -> None:
    """Create or update a hall from its YAML file (loading the same file twice changes nothing)."""
    try:
        hall = read_hall(file)
    except HallFileError as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(2)
    with _refusals():
        changed = halls.load_hall(_store(create=True), hall)
    typer.echo(f"hall {hall.id}: {'loaded' if changed else 'unchanged'} "
               f"({len(hall.services)} services, {len(hall.windows)} windows) in {get_settings().database_label()}")


@user_app.command("add")
def user_add(
    name: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    role: Annotated[Optional[str], typer.Option(help="admin, manager, clerk or guide (needed for a new user)")] = None,
    hall: Annotated[Optional[str], typer.Option(help="the hall the account belongs to (all but an admin have one)")] = None,
    display_name: Annotated[Optional[str], typer.Option()] = None,
    staff_no: Annotated[Optional[str], typer.Option()] = None,
) -> None:
    """Create a staff account, or change what is given of one (a new password ends its sessions)."""
    with _refusals():
        created = accounts.add_user(_store(), name, password, role, hall, display_name, staff_no)
    typer.echo(f"user {name}: {'created' if created else 'updated'}")


@user_app.command("list")
def user_list() -> None:
    """The staff accounts: name, role, hall, display name, staff number, and whether disabled."""
    for u in accounts.users(_store()):
        typer.echo(f"{u['username']:<16} {u['role']:<8} {u['hall'] or '(all halls)':<12} {u['display_name']:<10} "
                   f"{u['staff_no']:<8}{'' if u['active'] else ' disabled'}")


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
def list_tokens(hall: Annotated[Optional[str], typer.Option(help="only this hall's")] = None) -> None:
    """List device tokens and open sessions by id (the tokens themselves are not stored)."""
    store = _store()
    zones = {}
    for h in store.hall_ids():
        with store.read(h) as r:
            zones[h] = r.hall.timezone

    def local(moment: str, hall: str | None) -> str:
        return local_time(datetime.fromisoformat(moment), zones.get(hall or "", "Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")

    for tok in accounts.tokens(store, hall):
        who = tok["user"] or tok["label"] or tok["kind"] + (f" {tok['window']}号窗口" if tok["window"] else "")
        typer.echo(f"{tok['id']}  {tok['kind']:<8} {tok['hall'] or '-':<10} {who:<16} {local(tok['created_at'], tok['hall'])}"
                   + (f"  until {local(tok['expires_at'], tok['hall'])}" if tok["expires_at"] else ""))


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
def device_token(kind: Annotated[str, typer.Option(help="kiosk, display, guide, rating or window (a window agent)")],
                 hall: Annotated[Optional[str], typer.Option(help="default: the database's only hall")] = None,
                 window: Annotated[Optional[int], typer.Option(help="a rating or window device's window")] = None,
                 label: Annotated[str, typer.Option(help="which device holds it, e.g. 1号自助机 (shown by `tokens`)")] = "",
                 ) -> None:
    """Print a new device token (alone on stdout) for a kiosk, display, guide tablet, a window's rating device or window agent."""
    with _refusals():
        store = _store()
        typer.echo(accounts.device_token(store, _hall_id(store, hall), kind, window, label))


@app.command("export-day")
def export_day(
    hall: Annotated[Optional[str], typer.Option(help="default: the database's only hall")] = None,
    day: Annotated[Optional[str], typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Write a business day's events (the audit trail) to stdout as JSON lines."""
    wanted = _day_option("--day", day)
    store = _store()
    with store.read(_hall_id(store, hall)) as r:
        h = r.hall
        d = wanted or business_day(store.clock.now(), h.timezone, h.day_boundary_hour)
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


DEMO_DEVICES = {"kiosk": None, "display": None, "guide": None, "rating": 21}  # kind -> window


def _demo_setup(store: Store, data_dir: Path) -> dict[str, str]:
    """The demo hall, its accounts and device tokens, made once. A database holding any other hall is
    refused (the demo's well-known passwords do not belong there); on a later run nothing is reset:
    an account disabled or given a new password stays so, and the device tokens made the first time
    (kept in the data directory, 0600) are used again while they are valid."""
    others = [h for h in store.hall_ids() if h != "demo"]
    if others:
        typer.echo(f"hallq demo: this database holds other halls ({', '.join(others)}); the demo, with its "
                   "well-known passwords, runs only on a database of its own. Point HALLQ_DATABASE_URL or "
                   "HALLQ_DATA_DIR elsewhere.", err=True)
        raise typer.Exit(2)
    halls.load_hall(store, read_hall(DEMO))
    for username, role, name, staff_no in DEMO_USERS:
        if not accounts.has_user(store, username):
            accounts.add_user(store, username, DEMO_PASSWORD, role, None if role == "admin" else "demo", name, staff_no)
    path = data_dir / "demo-tokens.json"
    kept = json.loads(path.read_text()) if path.exists() else {}
    tokens = {}
    for kind, window in DEMO_DEVICES.items():
        who = accounts.principal(store, kept[kind]) if isinstance(kept.get(kind), str) else None
        valid = who is not None and who.kind == kind and who.hall == "demo" and who.window == window
        tokens[kind] = kept[kind] if valid else accounts.device_token(store, "demo", kind, window)
    if tokens != kept:
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(0o600)
        path.write_text(json.dumps(tokens))
    return tokens


@app.command()
def demo(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Load the demo hall with demo accounts and devices, then serve it."""
    _public_url_follows(host, port)
    settings = get_settings()
    setup_from(settings)
    store = _store(create=True)
    tokens = _demo_setup(store, settings.data_dir)
    clock, started = _demo_clock(store)
    base = f"http://{host}:{port}"
    lines = [
        "",
        "hallq demo hall (示范区政务服务中心) is starting",
        f"  hall board        {base}/board.html?hall=demo#token={tokens['display']}",
        f"  window screen     {base}/window.html?hall=demo&window=21#token={tokens['display']}",
        f"  rating pad        {base}/rate.html?hall=demo&window=21#token={tokens['rating']}",
        f"  clerk console     {base}/console.html?hall=demo",
        f"  guide tablet      {base}/guide.html?hall=demo#token={tokens['guide']}",
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



def _day_option(name: str, text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise typer.BadParameter(f"{name} {text!r}: use YYYY-MM-DD, e.g. 2026-11-24") from None


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
    hall: Annotated[Optional[str], typer.Option(help="default: the database's only hall")] = None,
    day: Annotated[Optional[str], typer.Option(help="a day, YYYY-MM-DD (日报)")] = None,
    week: Annotated[Optional[str], typer.Option(help="any day of the week, Monday to Sunday (周报)")] = None,
    month: Annotated[Optional[str], typer.Option(help="the month, YYYY-MM (月报)")] = None,
    format: Annotated[str, typer.Option(help="text, json, csv or xlsx")] = "text",
    out: Annotated[Optional[Path], typer.Option(help="write to this file instead of stdout (xlsx needs one)")] = None,
) -> None:
    """日清周结月通报: per service, window, clerk, class and hour, recomputed from the event log
    (default: today)."""
    from .supervision import export
    from .supervision.source import report_for

    if format not in ("text", "json", "csv", "xlsx"):
        raise typer.BadParameter("--format is text, json, csv or xlsx")
    period, anchor = _report_period(day, week, month)
    store = _store()
    with _refusals():
        data = report_for(store, _hall_id(store, hall), period, anchor)
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
    hall: Annotated[Optional[str], typer.Option(help="default: the database's only hall")] = None,
    day: Annotated[Optional[str], typer.Option(help="the day whose log is replayed, YYYY-MM-DD; default today")] = None,
    seed: int = 1,
) -> None:
    """What if: replay a day's arrivals and service times (from its event log) with a different set of
    windows; prints one JSON line: the day as it was, its replay, and the what-if."""
    from .supervision.simulation import what_if
    from .supervision.source import period_events, today

    wanted = _day_option("--day", day)
    store = _store()
    hall = _hall_id(store, hall)
    with _refusals():
        with store.read(hall) as r:
            d = wanted or today(r.hall, store.clock.now())
        h, events = period_events(store, hall, d, d)
    try:
        result = what_if(events, h, day_start(d, h.timezone, h.day_boundary_hour), windows, seed)
    except ValueError as e:
        typer.echo(f"hallq simulate: {e}", err=True)
        raise typer.Exit(2)
    typer.echo(json.dumps({"day": d.isoformat()} | result, ensure_ascii=False))


@app.command()
def migrate() -> None:
    """Bring the database's schema up to this version (the server also does it when it starts)."""
    _store(create=True)
    typer.echo(f"{get_settings().database_label()}: at the current schema")


@app.command()
def init(
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="the administrator's password (asked for when not given)")],
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
            raise _refuse(f"hallq init: {settings.database_label()} is set up already (it has accounts); "
                          "add more with `hallq user add`")
        accounts.add_user(store, admin, password, "admin", None, display_name, "")
    typer.echo(f"""hallq is set up in {settings.database_label()}, administrator {admin!r}. Next:
  hallq load-hall YOUR-HALL.yaml           (docs/hall-file.md; queue_server/halls/example.yaml to start from)
  hallq user add NAME --role clerk --hall HALL --display-name … --staff-no …
  hallq device-token --hall HALL --kind kiosk --label 1号自助机
  hallq serve --host 0.0.0.0 --port 8000   (with HALLQ_PUBLIC_URL set to the address phones reach)""")


@app.command("clear-day")
def clear_day(
    hall: Annotated[Optional[str], typer.Option(help="the hall (needed when the database holds several)")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask")] = False,
    clock: Annotated[Optional[str], typer.Option(hidden=True, help="the moment `serve --clock` runs the hall at")] = None,
) -> None:
    """After a trial run, before go-live: remove today's tickets so that the first citizen gets 001 and
    today's reports start from nothing. The windows are closed (clerks sign in again); the event log
    keeps the trial, marked as cleared."""
    with _refusals():
        store = _store(_clock(clock))
        hall_id = _hall_id(store, hall)
        counts = trial.today_counts(store, hall_id)
        typer.echo(f"{hall_id}: today's {counts['tickets']} tickets go, and {counts['windows']} windows signed in "
                   "are closed. Anyone holding one of these tickets loses their place.")
        if not yes and not typer.confirm("Clear today?"):
            raise typer.Exit(1)
        gone = trial.clear_today(store, hall_id)
    typer.echo(f"{hall_id}: {gone} tickets cleared; the next ticket of each service is 001")


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


@app.command("window-agent")
def window_agent(
    window: Annotated[list[int], typer.Option(help="the window (repeat for several windows on one agent)")],
    led: Annotated[list[str], typer.Option(help="each window's LED screen, e.g. rs485+serial:///dev/ttyUSB0?addr=2")],
    pad: Annotated[Optional[list[str]], typer.Option(help="each window's rating pad, e.g. rs485+serial:///dev/ttyUSB0?addr=1")] = None,
    caller: Annotated[Optional[list[str]], typer.Option(help="a separate caller (呼叫器) per window, if any; '-' for none")] = None,
    token: Annotated[Optional[list[str]], typer.Option(
        envvar="HALLQ_WINDOW_TOKEN", help="each window's device token (hallq device-token --kind window --window N); "
        "HALLQ_WINDOW_TOKEN holds them space-separated")] = None,
    hall: Annotated[str, typer.Option(help="the hall")] = "demo",
    server: Annotated[str, typer.Option(help="the queue server")] = "http://127.0.0.1:8000",
) -> None:
    """Drive windows' RS-485 LED screens and rating pads from the hall's event stream: the called
    number, 请稍候 and 暂停服务 on the screen, a rating asked after each finished matter, the pad's call
    keys for the clerk signed in. Options pair up by position: the first --led is the first --window's."""
    import asyncio

    from devices import DeviceError

    from .agent.run import Agent, WindowDevices

    tokens = [part for t in token or [] for part in t.split()]
    pads, callers = pad or [], caller or []
    if len(led) != len(window) or len(tokens) != len(window) or len(pads) not in (0, len(window)) \
            or len(callers) not in (0, len(window)):
        raise _refuse(f"hallq window-agent: {len(window)} windows need as many --led and tokens "
                      f"(given {len(led)} and {len(tokens)}), and as many --pad and --caller if any")
    setup_from(get_settings())
    windows = [WindowDevices(n, tokens[i], led[i], pads[i] if pads else None,
                             callers[i] if callers and callers[i] != "-" else None) for i, n in enumerate(window)]
    try:
        asyncio.run(Agent(server, hall, windows).run())
    except DeviceError as e:
        raise _refuse(f"hallq window-agent: {e}") from None
    except KeyboardInterrupt:
        pass


@app.command()
def kiosk(config: Annotated[Path, typer.Option("--config", help="the kiosk's TOML file (see kiosk/example.toml)")]) -> None:
    """Run the self-service kiosk (Kivy, full screen) with the settings in FILE."""
    from kiosk.launch import main as run_kiosk

    raise typer.Exit(run_kiosk(config))


if __name__ == "__main__":
    app()
