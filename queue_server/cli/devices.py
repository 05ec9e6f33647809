"""The programs that run beside the server: the window agent, the kiosk and the log shipper."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..logging_setup import setup_from
from ..settings import get_settings
from .base import _refuse, app


@app.command("window-agent")
def window_agent(
    window: Annotated[list[int], typer.Option(help="the window (repeat for several windows on one agent)")],
    led: Annotated[list[str], typer.Option(help="each window's LED screen, e.g. rs485+serial:///dev/ttyUSB0?addr=2")],
    pad: Annotated[
        list[str] | None, typer.Option(help="each window's rating pad, e.g. rs485+serial:///dev/ttyUSB0?addr=1")
    ] = None,
    caller: Annotated[
        list[str] | None, typer.Option(help="a separate caller (呼叫器) per window, if any; '-' for none")
    ] = None,
    token: Annotated[
        list[str] | None,
        typer.Option(
            envvar="HALLQ_WINDOW_TOKEN",
            help="each window's device token (hallq device-token --kind window --window N); "
            "HALLQ_WINDOW_TOKEN holds them space-separated",
        ),
    ] = None,
    hall: Annotated[str, typer.Option(help="the hall")] = "demo",
    server: Annotated[str, typer.Option(help="the queue server")] = "http://127.0.0.1:8000",
) -> None:
    """Drive windows' RS-485 LED screens and rating pads from the hall's event stream: the called
    number, 请稍候 and 暂停服务 on the screen, a rating asked after each finished matter, the pad's call
    keys for the clerk signed in. Options pair up by position: the first --led is the first --window's."""
    import asyncio

    from devices import DeviceError

    from ..agent.run import Agent, WindowDevices

    tokens = [part for t in token or [] for part in t.split()]
    pads, callers = pad or [], caller or []
    if (
        len(led) != len(window)
        or len(tokens) != len(window)
        or len(pads) not in (0, len(window))
        or len(callers) not in (0, len(window))
    ):
        raise _refuse(
            f"hallq window-agent: {len(window)} windows need as many --led and tokens "
            f"(given {len(led)} and {len(tokens)}), and as many --pad and --caller if any"
        )
    setup_from(get_settings())
    windows = [
        WindowDevices(
            n, tokens[i], led[i], pads[i] if pads else None, callers[i] if callers and callers[i] != "-" else None
        )
        for i, n in enumerate(window)
    ]
    try:
        asyncio.run(Agent(server, hall, windows).run())
    except DeviceError as e:
        raise _refuse(f"hallq window-agent: {e}") from None
    except KeyboardInterrupt:
        pass


@app.command()
def kiosk(
    config: Annotated[Path, typer.Option("--config", help="the kiosk's TOML file (see kiosk/example.toml)")],
) -> None:
    """Run the self-service kiosk (Kivy, full screen) with the settings in FILE."""
    from kiosk.launch import main as run_kiosk

    raise typer.Exit(run_kiosk(config))


@app.command("ship-log")
def ship_log(
    hall: Annotated[str, typer.Option(help="the hall whose log is shipped (the same id on both servers)")],
    city: Annotated[str, typer.Option(help="the city's server, e.g. https://zwfw.city.example")],
    city_token: Annotated[
        str,
        typer.Option(envvar="HALLQ_CITY_TOKEN", help="the city's token for this hall (device-token --kind shipper)"),
    ],
    token: Annotated[
        str,
        typer.Option(envvar="HALLQ_SHIPPER_TOKEN", help="this hall server's token (device-token --kind shipper)"),
    ],
    server: Annotated[str, typer.Option(help="this hall's own server")] = "http://127.0.0.1:8000",
) -> None:
    """Ship this hall's event log to the city's server, in order and each event once; after a link
    cut or a restart it carries on from where the city stands. The city's reports of the hall are then
    the hall's own. Tokens are best given in HALLQ_SHIPPER_TOKEN and HALLQ_CITY_TOKEN (not on a
    command line that others can list)."""
    import asyncio

    from ..shipper import Shipper

    setup_from(get_settings())
    try:
        asyncio.run(Shipper(hall, server, token, city, city_token).run())
    except KeyboardInterrupt:
        pass
