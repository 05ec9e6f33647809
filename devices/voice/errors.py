"""What can go wrong with the voice."""

from __future__ import annotations


class VoiceUnavailable(RuntimeError):
    """No speech engine (or model) on this machine, or it failed."""


class BadClip(ValueError):
    """A clip file that is not a usable WAV."""
