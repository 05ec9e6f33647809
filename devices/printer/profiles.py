"""Paper widths the halls use. Columns are half-width (12-dot font A) columns: a Chinese
character takes two."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from escpos.capabilities import Profile, get_profile_class


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    dots: int
    columns: int
    native_qr: bool
    qr_module_dots: int

    def escpos_profile(self) -> Profile:
        """A python-escpos profile with our paper width, so its image code knows the printable
        width (its built-in default profile has none and prints a warning on every image)."""
        data = copy.deepcopy(get_profile_class("default").profile_data)
        data["media"]["width"] = {"mm": self.name, "pixels": self.dots}
        profile = Profile(columns=self.columns, features=data["features"])
        profile.profile_data = data
        return profile


# Cheap 58 mm printers rarely implement GS ( k, so their QR code goes as a raster image.
PROFILES = {
    "58mm": PrinterProfile("58mm", dots=384, columns=32, native_qr=False, qr_module_dots=6),
    "80mm": PrinterProfile("80mm", dots=576, columns=48, native_qr=True, qr_module_dots=8),
}
