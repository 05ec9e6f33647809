"""The window agent (`hallq window-agent`): a window's RS-485 LED screen and rating pad, driven from
the hall's event stream. `logic` holds the rules (pure), `bus` the device thread, `run` the rest."""
