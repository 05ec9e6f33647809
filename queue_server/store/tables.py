"""The database schema (SQLAlchemy Core). Migrations in migrations/ must follow every change here."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on both databases (SQLite has no time zones: store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        return value.replace(tzinfo=UTC) if value is not None else None


halls = Table(
    "halls",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("config", JSON, nullable=False),
    Column("config_hash", String(64), nullable=False),
    # Bumped under the hall row's lock by every change: the event sequence, gap-free and in
    # commit order, which is what lets a display resume from `since` without missing anything.
    Column("event_seq", Integer, nullable=False, default=0),
    # A manager's notice for the boards while the hall runs; NULL shows the configured one.
    Column("notice", Text),
    # The hall runs on a server of its own, which ships its event log here (a township hall, seen by
    # the city): its events come only from that log, never from this server's own use cases.
    Column("shipped", Boolean, nullable=False, default=False, server_default=false()),
)

windows = Table(
    "windows",
    metadata,
    Column("hall", String(32), ForeignKey("halls.id"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("state", String(16), nullable=False, default="closed"),
    Column("pause_reason", String(200)),
    Column("clerk_id", Integer, ForeignKey("users.id")),
    Column("ticket_id", Integer),
    Column("priority_streak", Integer, nullable=False, default=0),
    Column("state_since", UTCDateTime),
    Column("last_call_at", UTCDateTime),
)

counters = Table(
    "counters",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("service", String(32), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("last", Integer, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), ForeignKey("halls.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("number", String(8), nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("klass", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("service", String(32), nullable=False),  # the current matter's service, for the queue index
    Column("current", Integer, nullable=False, default=0),
    Column("matters", JSON, nullable=False),
    Column("first_service", String(32), nullable=False),  # the first matter's (the queue's estimates)
    Column("next_service", String(32)),  # the next matter's, if there is one
    Column("issued_at", UTCDateTime, nullable=False),
    Column("queued_at", UTCDateTime, nullable=False),
    Column("rank_key", Float, nullable=False),  # policy.rank_key: counts the people ahead by index
    Column("front", Boolean, nullable=False, default=False),
    Column("window", Integer),
    Column("recalls", Integer, nullable=False, default=0),
    Column("no_show_at", UTCDateTime),
    Column("slot_start", UTCDateTime),
    Column("slot_end", UTCDateTime),
    Column("appointment", String(16)),
    Column("id_hash", String(64)),
    Column("masked_name", String(64)),
    Column("issued_by", String(64)),
    Column("phone_hash", String(64)),  # the holder's phone number confirmed by an SMS code, keyed
    Column("absent", String(8)),  # tickets.Absence: waiting but not called (not arrived, stepped out)
    Column("back_at", UTCDateTime),
    UniqueConstraint("hall", "day", "number"),
    Index("ix_tickets_queue", "hall", "state", "service", "rank_key"),
    Index("ix_tickets_person", "hall", "day", "id_hash"),
    Index("ix_tickets_phone", "hall", "day", "phone_hash"),
    Index("ix_tickets_issued", "hall", "klass", "issued_at"),
)

events = Table(
    "events",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("type", String(40), nullable=False),
    Column("ts", UTCDateTime, nullable=False),
    Column("actor", JSON, nullable=False),
    Column("data", JSON, nullable=False),
)

idempotency = Table(
    "idempotency",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("ticket_id", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("hall", String(32)),
    Column("display_name", String(64), nullable=False, default=""),
    Column("staff_no", String(32), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("halls", JSON),  # a supervisor's halls (NULL: every hall)
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),  # user, kiosk, display, guide
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("hall", String(32)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("window", Integer),  # a rating device's window
    Column("label", String(64), nullable=False, default="", server_default=""),  # which kiosk, which board
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("code", String(16), nullable=False),
    Column("service", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("slot", String(5), nullable=False),  # HH:MM local
    Column("state", String(16), nullable=False),  # booked, checked_in, cancelled
    Column("id_hash", String(64)),
    Column("phone_hash", String(64)),
    Column("ticket_id", Integer),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("hall", "code"),
    Index("ix_appointments_slot", "hall", "service", "day", "slot"),
    Index("ix_appointments_person", "hall", "day", "id_hash"),
)

ratings = Table(
    "ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("ticket_id", Integer, nullable=False),
    Column("matter", Integer, nullable=False),
    Column("service", String(32), nullable=False),
    Column("window", Integer),
    Column("clerk", String(64)),
    Column("score", Integer, nullable=False),
    # The score's scale (domain/rating.py); rows from before the five levels are on the four-level one.
    Column("scale", String(16), nullable=False, default="national5", server_default="legacy4"),
    Column("reason", String(16)),  # a 差评's reason code
    Column("reason_text", String(200), nullable=False, default="", server_default=""),
    Column("ts", UTCDateTime, nullable=False),
    UniqueConstraint("ticket_id", "matter"),
)

# 好差评: every 差评's follow-up (核实, 整改, 回访), due by its 15th working day.
followups = Table(
    "followups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("ticket_id", Integer, nullable=False),
    Column("matter", Integer, nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("due", Date, nullable=False),
    Column("state", String(16), nullable=False),  # open, closed
    Column("assignee", String(64)),
    Column("called_back", UTCDateTime),  # the return call (回访)
    Column("result", Text),  # what was verified and put right
    Column("closed_at", UTCDateTime),
    UniqueConstraint("ticket_id", "matter"),
    Index("ix_followups_open", "hall", "state", "due"),
)

service_stats = Table(
    "service_stats",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("service", String(32), primary_key=True),
    Column("avg_service_s", Float, nullable=False),  # moving average of call to release: what the ETA needs
    Column("var_service_s", Float),  # ... and its moving variance (the ETA's range); null: none recorded yet
    Column("samples", Integer, nullable=False, default=0),
)

devices = Table(
    "devices",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("device", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("state", String(32), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("since", UTCDateTime, nullable=False),
    Column("owner", String(16)),  # the id of the device token that reports it (none: a manager's)
)

# A phone number a citizen gave for text messages about one ticket. In clear, because the modem
# needs it; never in an event or a view (masked there), and gone with the ticket's day.
notify_phones = Table(
    "notify_phones",
    metadata,
    Column("ticket_id", Integer, primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("phone", String(20), nullable=False),
    Column("family", Boolean, nullable=False, default=False),  # a family member's number (an elderly visitor)
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_notify_phones_day", "hall", "day"),
)

# The outbox: one row per message, keyed by what caused it, so that none is sent twice. `state`:
# pending, sending (claimed; left so by a crash it is not sent again: at most once), sent, failed.
notify_outbox = Table(
    "notify_outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("ticket_id", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("key", Integer, nullable=False),  # the causing event's seq; 0 for a kind sent once per ticket
    Column("text", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("detail", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    # A message about no ticket (an SMS code: ticket_id 0) goes to this number, cleared once it is done.
    Column("phone", String(20)),
    UniqueConstraint("hall", "ticket_id", "kind", "key"),
    Index("ix_notify_outbox_state", "hall", "state"),
)

# How far the notifier has read each hall's event log.
notify_cursor = Table(
    "notify_cursor",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("seq", Integer, nullable=False),
)

# A number a booking is reminded at the day before (opt-in), in clear because the modem needs it;
# gone once the booking's day has passed.
booking_phones = Table(
    "booking_phones",
    metadata,
    Column("appointment_id", Integer, primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("phone", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_booking_phones_day", "hall", "day"),
)

# An SMS code proving a phone number is the citizen's (tickets on the phone). The code is kept
# only as its keyed hash; the row goes once expired, at the day boundary.
phone_codes = Table(
    "phone_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("phone_hash", String(64), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Index("ix_phone_codes_phone", "hall", "phone_hash"),
)
