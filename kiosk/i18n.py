"""Every text the kiosk shows, in Chinese and English, and the formatting of waits and times."""

from __future__ import annotations

import math
import re

LANGUAGES = ("zh", "en")

TEXTS: dict[str, tuple[str, str]] = {
    # attract and home
    "touch_to_start": ("请点击屏幕开始", "Touch the screen to start"),
    "attract_sub": (
        "自助取号 · 办事指南 · 预约签到 · 进度查询",
        "Tickets · Service guides · Appointments · Queue status",
    ),
    "attract_card": ("也可直接将身份证放在读卡区", "Or simply place your ID card on the reader"),
    "card_ticket": ("刷身份证取号", "Take a ticket with ID card"),
    "card_ticket_sub": ("老年人自动优先", "Seniors served first"),
    "appointment": ("预约签到", "Appointment check-in"),
    "entry_title": ("手机扫码取号", "Scan to take a ticket on your phone"),
    "entry_sub": (
        "不用纸质号票，在手机上看排队进度；线上取了号的，扫码即签到",
        "No paper needed: follow the queue on your phone. Took a place online? Scanning checks you in",
    ),
    "appointment_sub": ("预约、线上取号：预约码或身份证签到", "Bookings, places taken online: code or ID card"),
    "status": ("排队进度查询", "Queue status"),
    "status_sub": ("扫描号票二维码", "Scan your ticket's QR code"),
    "guides": ("办事指南", "Service guides"),
    "guides_sub": ("材料 · 流程 · 时限", "Materials · steps · time limits"),
    "search_hint": ("搜索事项：输入名称或拼音首字母", "Search: name or pinyin initials"),
    "search_hint_example": (
        "搜索事项：输入名称或拼音首字母，如 {initials} 查{word}",
        "Search: name or pinyin initials, e.g. {initials} for {word}",
    ),
    "search": ("搜索", "Search"),
    "topics": ("一件事 · 一次取号", "Life events · one ticket for everything"),
    "departments": ("按部门选择", "By department"),
    "n_services": ("{n} 个事项", "{n} services"),
    "elderly_on": ("大字模式", "Large text"),
    "elderly_off": ("标准字号", "Normal text"),
    "language": ("English", "中文"),
    "home": ("首页", "Home"),
    "back": ("返回", "Back"),
    "identity_bar": ("已刷卡：{name}", "ID card: {name}"),
    "clear_identity": ("退卡", "Remove"),
    # service list
    "waiting_n": ("等候 {n} 人", "{n} waiting"),
    "eta": ("约 {m} 分钟", "about {m} min"),
    "eta_unknown": ("暂无窗口开放", "no window open yet"),
    "eta_now": ("无需等候", "no wait"),
    "take_ticket": ("取号", "Ticket"),
    "add_basket": ("加入一件事", "Add"),
    "in_basket": ("已加入 ✓", "Added ✓"),
    "guide_short": ("指南", "Guide"),
    "closed_hours": ("现在不办理 · 今日 {hours}", "Closed now · today {hours}"),
    "closed_today": ("今日不办理", "Closed today"),
    "sold_out": ("今日号已取完", "No tickets left today"),
    "needs_card": ("须刷身份证", "ID card needed"),
    "floor_area": ("{area}", "{area}"),
    "no_results": (
        "没有找到「{q}」，请换个说法或到导服台咨询",
        'Nothing found for "{q}"; try other words or ask at the help desk',
    ),
    "results_for": ("「{q}」的搜索结果", 'Results for "{q}"'),
    "pick_service": ("请选择办理事项", "Choose a service"),
    "pick_guide": ("请选择要查看的办事指南", "Choose a service guide"),
    "basket_bar": ("一件事：已选 {n} 项", "One visit: {n} selected"),
    "basket_go": ("一次取号", "One ticket for all"),
    "basket_empty": ("可将多个事项加入“一件事”，只取一个号", "Add several services to take one ticket for all"),
    "basket_full": ("一次最多 {n} 个事项", "At most {n} services at once"),
    "clear_basket": ("清空", "Clear"),
    # confirm
    "confirm_title": ("确认取号", "Confirm your ticket"),
    "confirm_items": (
        "办理事项（按顺序到窗口办理，无需重复排队）",
        "Your services (served in order, without queueing again)",
    ),
    "confirm_one": ("办理事项", "Your service"),
    "remove": ("移除", "Remove"),
    "no_card_yet": ("未刷身份证", "No ID card"),
    "card_read": ("身份证：{name}", "ID card: {name}"),
    "age_priority": ("{age} 周岁，享受「{klass}」", "Age {age}: {klass}"),
    "swipe_card": ("刷身份证", "Use ID card"),
    "needs_card_msg": ("「{name}」须刷身份证取号", '"{name}" needs your ID card'),
    "priority_option": ("申请「{name}」（请向窗口出示证明）", 'Ask for "{name}" priority (show proof at the window)'),
    "confirm": ("确认取号", "Take ticket"),
    "issuing": ("正在取号，请稍候…", "Issuing your ticket…"),
    "no_card_ticket": ("不刷卡取号", "Ticket without ID card"),
    # ID card
    "card_title": ("刷身份证", "ID card"),
    "card_place": ("请将身份证平放在下方读卡区", "Place your ID card flat on the reader below"),
    "card_reading": ("正在读卡，请勿移动身份证…", "Reading — keep the card still…"),
    "card_ok": ("读卡成功", "Card read"),
    "card_continue": ("继续选择事项", "Continue"),
    "card_retry": ("重新读卡", "Try again"),
    "card_no_card": (
        "没有检测到身份证。请将身份证平放在读卡区中央，再点“重新读卡”。",
        "No card found. Place the card flat in the middle of the reader, then tap Try again.",
    ),
    "card_removed": (
        "读卡时身份证被移开了。请将身份证平放在读卡区，读完前不要移动，再试一次。",
        "The card was moved while reading. Place it flat and hold it still until it is read, then try again.",
    ),
    "card_failed": (
        "读卡失败。请拿起身份证，平放在读卡区中央后再试一次。",
        "The card could not be read. Lift it, place it flat in the middle of the reader and try again.",
    ),
    "card_expired": (
        "该身份证已过有效期，不能用于取号。请到一楼导服台由工作人员协助。",
        "This ID card has expired. Please ask at the help desk on the ground floor.",
    ),
    "card_not_valid": (
        "该身份证尚未生效，请到导服台由工作人员协助。",
        "This ID card is not valid yet. Please ask at the help desk.",
    ),
    "card_invalid": (
        "无法识别该证件。请确认是居民身份证，平放后再试一次。",
        "This card cannot be recognised. Make sure it is a resident ID card, place it flat and try again.",
    ),
    "reader_down": (
        "读卡器暂时无法使用，请联系工作人员。",
        "The card reader is not working. Please ask a member of staff.",
    ),
    "card_or_without": (
        "所选事项不要求身份证的，可以不刷卡取号。",
        "Services that do not need an ID card can be taken without it.",
    ),
    # ticket
    "your_number": ("您的号码", "Your number"),
    "ahead": ("前面还有 {n} 人", "{n} ahead of you"),
    "eta_wait": ("预计等候 {eta}", "Estimated wait {eta}"),
    "go_to": ("请到 {area} 等候叫号", "Please wait at {area}"),
    "go_to_board": ("请留意叫号屏和语音提示", "Watch the board and listen for your number"),
    "klass": ("优先类别：{name}", "Priority: {name}"),
    "scan_status": ("手机扫码查看排队进度", "Scan to follow your place in the queue"),
    "printed": ("请取走号票", "Please take your ticket"),
    "printing": ("正在打印号票…", "Printing your ticket…"),
    "not_printed": (
        "打印机暂时无法出票，号码已取好：请用手机拍下本页或扫描二维码",
        "The printer cannot print right now; your number is valid: photograph this screen or scan the code",
    ),
    "done": ("完成", "Done"),
    "back_home_in": ("{s} 秒后返回首页", "Back to start in {s} s"),
    "matters_count": ("共 {n} 个事项，按顺序办理", "{n} services, served in order"),
    # guide
    "guide_title": ("办事指南", "Service guide"),
    "guide_ask_window": ("本事项的办事指南请到窗口咨询", "Please ask at the window about this service's requirements"),
    "g_summary": ("事项说明", "About"),
    "g_basis": ("设定依据", "Legal basis"),
    "g_steps": ("办理流程", "Procedure"),
    "g_conditions": ("申请条件", "Conditions"),
    "g_time_limit": ("办理时限", "Time limit"),
    "g_fees": ("收费标准", "Fees"),
    "g_materials": ("申请材料", "Materials"),
    "g_where": ("办理地点", "Where"),
    "g_phone": ("咨询电话", "Phone"),
    "instant": ("即办件：材料齐全当场办结", "Done on the spot when the papers are complete"),
    "promised": ("承诺件：{n} 个工作日内办结", "Done within {n} working days"),
    "joint": ("联审件：多部门并联审批，{n} 个工作日内办结", "Joint approval, within {n} working days"),
    "original": ("原件", "original"),
    "copy": ("复印件", "copy"),
    "copies": ("{n} 份", "{n}"),
    "windows": ("{area} {windows} 号窗口", "{area}, window {windows}"),
    "print_checklist": ("打印材料清单", "Print the checklist"),
    "checklist_printed": ("材料清单已打印，请取走", "Checklist printed — please take it"),
    "checklist_failed": (
        "打印机暂时无法打印，请用手机拍下本页材料清单",
        "The printer cannot print now; please photograph this list",
    ),
    "checklist_where": ("办理地点：{where}", "Where: {where}"),
    # status lookup
    "status_title": ("排队进度查询", "Queue status"),
    "status_hint": (
        "请将号票上的二维码对准扫描口，或输入号码",
        "Hold your ticket's QR code to the scanner, or type your number",
    ),
    "status_input": ("二维码内容或号码", "QR content or number"),
    "lookup": ("查询", "Look up"),
    "status_number_unknown": (
        "今天没有号码 {n}，请核对号票上的号码",
        "There is no number {n} today; please check your ticket",
    ),
    "status_not_found": ("没有找到这张号票，请确认二维码或号码", "No such ticket; check the code or the number"),
    "status_bad_input": (
        "无法识别输入内容，请扫描号票上的二维码",
        "Not recognised; please scan the QR code on your ticket",
    ),
    "state": ("状态：{s}", "State: {s}"),
    "called_to": ("请到 {w} 号窗口", "Please go to window {w}"),
    # appointments
    "appt_title": ("预约签到取号", "Appointment check-in"),
    "arrived": (
        "{number} 号（{service}）已签到，前面还有 {ahead} 人，请在等候区留意叫号",
        "{number} ({service}) is checked in: {ahead} ahead of you. Please wait for your call",
    ),
    "appt_hint": (
        "请输入 12 位预约码（短信或预约页面上），或刷身份证查找预约；线上取号请刷身份证签到",
        "Enter the 12-character code from your booking, or place your ID card (places taken online: the card)",
    ),
    "appt_looking": ("正在查找您今天的预约…", "Looking for your bookings today…"),
    "appt_none_for_card": (
        "没有找到该身份证今天的预约，请输入预约码",
        "No booking today for this ID card: enter the code",
    ),
    "appt_choose": ("您今天有 {n} 个预约，请选择要签到的一个", "You have {n} bookings today: choose one to check in"),
    "appt_find": ("查询预约", "Find booking"),
    "appt_details": (
        "{service}\n{day} {slot}（{start}–{end} 可签到）",
        "{service}\n{day} {slot} (check in {start}–{end})",
    ),
    "appt_check_in": ("签到取号", "Check in"),
    "appt_with_card": ("已刷身份证：{name}（将核对预约人）", "ID card {name} (checked against the booking)"),
    "appt_state_used": ("该预约已签到取号", "This booking has been checked in already"),
    "appt_state_cancelled": ("该预约已取消", "This booking was cancelled"),
    # maintenance and admin
    "maintenance": ("系统维护中", "Under maintenance"),
    "maintenance_sub": (
        "暂时无法取号，请稍候或到一楼导服台咨询",
        "Tickets are unavailable for a moment; please wait or ask at the help desk",
    ),
    "maintenance_retry": ("正在重新连接…（第 {n} 次，{s} 秒后重试）", "Reconnecting… (attempt {n}, next in {s} s)"),
    "pick_for_you": ("{name}，请选择要办理的事项", "{name}, choose what you need"),
    "your_bookings": ("您今天有 {n} 个预约：{names}", "You have {n} booking(s) today: {names}"),
    "check_in_booking": ("预约签到", "Check in"),
    "no_card_help": (
        "没有身份证？请到一楼导服台，工作人员可核验临时身份证、户口簿或护照等并为您取号；已预约的也可凭预约码签到。",
        "No ID card? Go to the help desk on the 1st floor: staff can check a temporary ID card, household register or passport and take a ticket for you. With a booking, check in with its code.",
    ),
    "appt_by_code": ("凭预约码签到", "Check in with booking code"),
    "large_for_you": ("大字", "Large text"),
    "idle_title": ("还在吗？", "Are you still there?"),
    "idle_countdown": ("{s} 秒后返回首页，本次选择将清除", "Back to the start in {s} s; your choices will be cleared"),
    "idle_continue": ("继续使用", "Continue"),
    "out_of_service": ("本机暂停服务", "Out of service"),
    "out_of_service_sub": (
        "请到其他取号机取号，或到一楼导服台咨询。工作人员：本机的设备令牌无效或已停用（{kiosk}：{reason}），请重新配置令牌。",
        "Please use another kiosk or ask at the help desk. Staff: this kiosk's device token is wrong or revoked ({kiosk}: {reason}); configure a new one.",
    ),
    "maintenance_pending": (
        "您刚才的取号请求会在恢复后自动完成，请稍候",
        "Your ticket will be issued as soon as the system is back",
    ),
    "admin_pin": ("管理员密码", "Administrator PIN"),
    "admin_wrong": ("密码错误", "Wrong PIN"),
    "admin_title": ("设备管理", "Kiosk administration"),
    "admin_exit": ("退出自助机程序", "Quit the kiosk"),
    "admin_close": ("返回服务", "Back to service"),
    "admin_test_print": ("打印测试页", "Print a test page"),
    "ok": ("确定", "OK"),
    "cancel": ("取消", "Cancel"),
    "delete": ("删除", "Delete"),
    "clear": ("清空", "Clear"),
    # text messages (optional, after the ticket)
    "sms_button": ("短信提醒", "Text me"),
    "sms_title": ("短信提醒（可选）", "Text message reminders (optional)"),
    "sms_hint": (
        "快到您、叫到您时发短信告诉您，不必一直看屏幕。号码只保存到今天结束。",
        "We text you when your turn is near and when you are called. The number is kept until today ends.",
    ),
    "sms_input": ("请输入11位手机号码", "Enter an 11-digit mobile number"),
    "sms_family": ("这是家人的号码", "This is a family member's number"),
    "sms_family_on": ("✓ 这是家人的号码", "✓ A family member's number"),
    "sms_submit": ("确认", "Confirm"),
    "sms_on": ("短信将发送至 {phone}", "Text messages go to {phone}"),
    "printer_banner": (
        "打印机暂停服务：号码将显示为二维码，请用手机拍下",
        "Printer out of service: tickets are shown as a QR code to photograph",
    ),
    "server_error": (
        "出了点问题，请重试或到导服台咨询",
        "Something went wrong; please try again or ask at the help desk",
    ),
    "minutes": ("{m} 分钟", "{m} min"),
    "hours_minutes": ("{h} 小时 {m} 分钟", "{h} h {m} min"),
}

PRINTER_STATES = {
    "ok": ("正常", "ready"),
    "near_end": ("纸将用完", "paper low"),
    "paper_out": ("缺纸", "out of paper"),
    "cover_open": ("纸仓盖未关", "cover open"),
    "offline": ("脱机", "offline"),
    "unreachable": ("无响应", "not answering"),
}


def plain_text(text: str) -> str:
    """Label text as read aloud: no markup, ordinary spaces."""
    return (
        re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", text)
        .replace("&bl;", "[")
        .replace("&br;", "]")
        .replace("&amp;", "&")
        .replace("\u00a0", " ")
    )


def t(key: str, lang: str = "zh", **values) -> str:
    zh, en = TEXTS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def pick(item: dict, lang: str, field: str = "name") -> str:
    """A server object's name in the language: `name` or `name_en` (falling back to Chinese)."""
    if lang == "en" and item.get(f"{field}_en"):
        return item[f"{field}_en"]
    return item.get(field, "")


def error_text(code: str, message: str, message_en: str, lang: str) -> str:
    return message_en if lang == "en" and message_en else message


def minutes(seconds: float | None) -> int | None:
    return None if seconds is None else _whole_minutes(seconds)


def _whole_minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def wait_text(eta_seconds: float | None, ahead: int | None, lang: str) -> str:
    """An estimated wait as a person reads it: "约 12 分钟", "无需等候", "暂无窗口开放"."""
    if ahead == 0 and eta_seconds is not None and eta_seconds < 60:
        return t("eta_now", lang)
    if eta_seconds is None:
        return t("eta_unknown", lang)
    m = _whole_minutes(eta_seconds)
    if m >= 60:
        return t("hours_minutes", lang, h=m // 60, m=m % 60)
    return t("eta", lang, m=m)


def mask_name(name: str) -> str:
    """张三 -> 张*, 张小三 -> 张*三, 欧阳小明 -> 欧**明 (as the server masks names)."""
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
