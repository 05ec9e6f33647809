"""Ticket and checklist layout as ESC/POS bytes. Pure: the same input gives the same bytes, so the
output can be checked without a printer."""

from __future__ import annotations

import qrcode
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from devices.printer.gbk import KANJI_ON, encode_gbk, text_width
from devices.printer.profiles import PROFILES, PrinterProfile
from devices.printer.ticket import Checklist, Ticket
from devices.printer.wrap import wrap

DEFAULT_PROFILE = PROFILES["80mm"]


class _Job:
    """python-escpos for the commands (init, alignment, size, QR, cut) and our own GBK text."""

    def __init__(self, profile: PrinterProfile):
        self.profile = profile
        self.printer = Dummy(profile=profile.escpos_profile())
        self.printer.hw("INIT")
        self.printer._raw(KANJI_ON)
        self.scale = 1

    def style(self, align: str = "left", scale: int = 1, bold: bool = False) -> None:
        self.scale = scale
        self.printer.set(align=align, bold=bold, custom_size=True, width=scale, height=scale)

    def text(self, text: str, indent: int = 0) -> None:
        for line in wrap(text, self.profile.columns // self.scale, indent):
            self.printer._raw(encode_gbk(line) + b"\n")

    def labelled(self, label: str, value: str, colon: str = "：") -> None:
        self.text(f"{label}{colon}{value}", indent=text_width(label) + text_width(colon))

    def rule(self) -> None:
        self.style()
        self.text("-" * self.profile.columns)

    def qr(self, payload: str) -> None:
        self.style(align="center")
        if self.profile.native_qr:
            self.printer.qr(payload, ec=QR_ECLEVEL_M, size=self.profile.qr_module_dots, native=True)
            self.printer._raw(b"\n")
            return
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1)
        code.add_data(payload)
        code.make(fit=True)
        # Shrink the modules of a long payload rather than fail on an image wider than the paper.
        size = min(self.profile.qr_module_dots, self.profile.dots // (code.modules_count + 2))
        self.printer.qr(payload, ec=QR_ECLEVEL_M, size=size, native=False)

    def cut(self) -> bytes:
        self.style()
        self.printer.cut()
        return self.printer.output


LABELS = {
    "zh": {
        "title": "排队号",
        "ahead_line": "您前面还有 {n} 人等候",
        "matters": "办理事项：",
        "ahead": "前面等候",
        "people": "{n} 人",
        "eta": "预计等候",
        "eta_unknown": "正在计算",
        "eta_minutes": "约 {n} 分钟",
        "issued": "取号时间",
        "place": "办理地点",
        "scan": "扫码查看排队进度",
        "colon": "：",
    },
    "en": {
        "title": "Queue number",
        "ahead_line": "{n} people ahead of you",
        "matters": "Matters:",
        "ahead": "Ahead",
        "people": "{n}",
        "eta": "Wait",
        "eta_unknown": "being estimated",
        "eta_minutes": "about {n} min",
        "issued": "Issued",
        "place": "Wait at",
        "scan": "Scan for your place in the queue",
        "colon": ": ",
    },
}


def render(ticket: Ticket, profile: PrinterProfile = DEFAULT_PROFILE) -> bytes:
    words = LABELS.get(ticket.language, LABELS["zh"])
    job = _Job(profile)
    job.style(align="center", bold=True)
    job.text(ticket.hall_name)
    job.style(align="center")
    job.text(words["title"])
    job.style(align="center", scale=2, bold=True)
    job.text(ticket.number)
    job.style(align="center")
    job.text(words["ahead_line"].format(n=ticket.ahead))
    job.rule()
    job.text(words["matters"])
    for index, matter in enumerate(ticket.matters, start=1):
        bullet = f"  {index}. "
        job.text(bullet + matter, indent=len(bullet))
    colon = words["colon"]
    job.labelled(words["ahead"], words["people"].format(n=ticket.ahead), colon)
    eta = words["eta_unknown"] if ticket.eta_minutes is None else words["eta_minutes"].format(n=ticket.eta_minutes)
    job.labelled(words["eta"], eta, colon)
    job.labelled(words["issued"], ticket.issued_at.strftime("%Y-%m-%d %H:%M"), colon)
    if ticket.area:  # never an empty place
        job.labelled(words["place"], ticket.area, colon)
    job.rule()
    job.qr(ticket.status_url)
    job.text(words["scan"])
    if ticket.notice:
        job.style()
        job.text(ticket.notice)
    return job.cut()


def render_checklist(checklist: Checklist, profile: PrinterProfile = DEFAULT_PROFILE) -> bytes:
    job = _Job(profile)
    if checklist.hall_name:
        job.style(align="center")
        job.text(checklist.hall_name)
    job.style(align="center", bold=True)
    job.text(checklist.title)
    job.text("所需材料清单")
    job.rule()
    width = len(str(len(checklist.items))) + 2
    for index, item in enumerate(checklist.items, start=1):
        job.text(f"{index}. ".rjust(width) + item, indent=width)
    if checklist.notice:
        job.rule()
        job.text(checklist.notice)
    return job.cut()
