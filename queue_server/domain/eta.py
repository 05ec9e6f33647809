"""Estimated wait: from the people ahead, the service's recent service time and the windows open."""
from __future__ import annotations

EWMA_ALPHA = 0.2  # about the last ten services dominate: recent enough to follow a slow afternoon


def update_average(previous: float | None, sample: float) -> float:
    if previous is None:
        return sample
    return previous + EWMA_ALPHA * (sample - previous)


def estimate_wait(ahead: int, avg_service_s: float, windows_open: int, windows_idle: int = 0) -> int | None:
    """Seconds until this ticket is likely called, or None when no window serves it now.

    The `ahead` people are served `windows_open` at a time; the windows now busy are on average
    half-way through a service, hence the half service subtracted."""
    if windows_open <= 0:
        return None
    if ahead < windows_idle:
        return 0
    rounds = (ahead - windows_idle + 1) / windows_open
    return max(0, round(rounds * avg_service_s - avg_service_s / 2))
