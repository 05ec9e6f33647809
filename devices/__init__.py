"""Device adapters for the hall: ticket printer, ID-card reader, rating pad and window LED
screen, each opened from one URL. `sim://` opens an in-process simulator speaking the same bytes,
so the kiosk runs without hardware; the simulator is then at `device.simulator`.

    printer = open_printer("escpos+serial:///dev/ttyUSB0?baudrate=9600&profile=58mm", on_state=print)
    reader = open_id_reader("sam+serial:///dev/ttyUSB1")
    pad = open_pad("rs485+serial:///dev/ttyUSB2?addr=1")
    led = open_led("rs485+serial:///dev/ttyUSB2?addr=2")   # same bus, shared port

Each family opens its own URLs beside its code (printer/open.py, idcard/open.py, rs485/open.py).
The names this package offers are listed once, in __init__.pyi, and loaded on first use: a program
that needs only the errors or the voice does not pay for python-escpos's printer capabilities (~0.2 s)."""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
