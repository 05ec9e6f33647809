"""The hallq self-service kiosk (Kivy): tickets for one or several matters, ID cards, service
guides, appointment check-in and queue status, unattended day and night.

The logic lives in plain modules that need no window (config, api_client, catalog, search,
session, devices, core); the Kivy screens in `kiosk.app` and `kiosk.screens` stay thin."""
