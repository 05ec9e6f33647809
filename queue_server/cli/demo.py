"""`hallq demo`: the demo hall with well-known accounts and device tokens, on a database of its own."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import typer

from ..clock import Clock, OffsetClock
from ..domain.calendar import day_start, local_time
from ..halls import DEMO, read_hall
from ..logging_setup import setup_from
from ..settings import get_settings
from ..store.store import Store
from ..usecases import accounts, halls
from .base import _public_url_follows, _serve, _store, app

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

DEMO_DEVICES = {"kiosk": None, "display": None, "guide": None, "rating": 21}  # kind -> window


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


def _demo_setup(store: Store, data_dir: Path) -> dict[str, str]:
    """The demo hall, its accounts and device tokens, made once. A database holding any other hall is
    refused (the demo's well-known passwords do not belong there); on a later run nothing is reset:
    an account disabled or given a new password stays so, and the device tokens made the first time
    (kept in the data directory, 0600) are used again while they are valid."""
    others = [h for h in store.hall_ids() if h != "demo"]
    if others:
        typer.echo(
            f"hallq demo: this database holds other halls ({', '.join(others)}); the demo, with its "
            "well-known passwords, runs only on a database of its own. Point HALLQ_DATABASE_URL or "
            "HALLQ_DATA_DIR elsewhere.",
            err=True,
        )
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
    lines.append(
        "  kiosk             started beside the server, with simulated printer and ID reader"
        if kiosk
        else "  kiosk             no screen here; on one: hallq kiosk --config kiosk/example.toml"
    )
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
