"""Electronic supervision (电子监察): figures recomputed from the event log, the live dashboard's view,
alerts (预警) and their engine, reports (日清周结月通报) and the hall-day simulator behind `hallq simulate`.

The figures are pure functions over a list of events (`figures`, `reports`, `alerts.evaluate`,
`simulation` with `erlang` and `whatif`), so any past day can be recomputed and tested with a hand-built log; the modules that
read the store or run in the server (`source`, `live`, `engine`) are thin around them."""
