"""Domain errors carry a machine-readable code and a message in Chinese and English, so every
layer above can pass them to people unchanged."""

from __future__ import annotations


class DomainError(Exception):
    """A request the rules of the hall do not allow (the state is fine, the request is not)."""

    def __init__(self, code: str, message: str, message_en: str):
        super().__init__(message_en)
        self.code = code
        self.message = message
        self.message_en = message_en
