"""Users (argon2 password hashes), sign-in tokens and device tokens.

Tokens are random and stored only as SHA-256 digests: a copy of the database holds no usable token."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
import time
from datetime import timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row, delete, insert, select, update

from ..domain.events import SigninLocked
from ..errors import Conflict, Invalid, NotFound, Unauthorized
from ..store import tables as t
from ..store.store import Store
from .body import Body
from .principal import DEVICE_KINDS, ROLES, SYSTEM, WINDOW_DEVICES, Principal

_hasher = PasswordHasher()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    store: Store,
    username: str,
    password: str | None,
    role: str | None = None,
    hall: str | None = None,
    display_name: str | None = None,
    staff_no: str | None = None,
    halls: list[str] | None = None,
) -> bool:
    """Creates the user, or updates what is given of an existing one (None keeps it): a password
    reset alone leaves role, hall and names as they were, and ends the user's sessions.
    Only an admin or a supervisor is without a hall; a hall must exist. A supervisor oversees
    `halls` (["*"]: every hall of this server, as when none is given to a new one). Returns True
    when the user was created."""
    if role is not None and role not in ROLES:
        raise Invalid("bad_role", f"角色须为 {'/'.join(ROLES)}", f"role must be one of {', '.join(ROLES)}")
    if password is not None and len(password) < 6:
        raise Invalid("weak_password", "密码至少 6 位", "a password has at least 6 characters")
    every_hall = halls == ["*"]
    for h in ([hall] if hall is not None else []) + ([] if every_hall else halls or []):
        if h not in store.hall_ids():
            raise Conflict("hall_not_found", f"没有大厅 {h}", f"no hall {h!r}; load it first")
    given = {"role": role, "hall": hall, "display_name": display_name, "staff_no": staff_no, "halls": halls}
    values: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    if every_hall:
        values["halls"] = None
    if password is not None:
        values["password_hash"] = _hasher.hash(password)  # before the transaction: argon2 takes ~0.2 s of CPU
    with store.transaction() as conn:
        user = conn.execute(select(t.users).where(t.users.c.username == username)).first()
        if user is None and (role is None or password is None):
            raise Invalid("user_incomplete", "新用户须给出角色和密码", "a new user needs --role and --password")
        final_role, final_hall = (
            values.get("role", user.role if user else None),
            values.get("hall", user.hall if user else None),
        )
        if final_role == "supervisor" and final_hall is not None:
            raise Invalid(
                "supervisor_halls",
                "监察账号不属于某一个大厅：用 --halls 给出所监察的大厅（不给则为全部大厅）",
                "a supervisor belongs to no one hall: give the halls overseen with --halls (none: every hall)",
            )
        if final_role not in ("admin", "supervisor") and final_hall is None:
            raise Invalid(
                "hall_required",
                f"{final_role} 账号须属于一个大厅（--hall）",
                f"a {final_role} account belongs to a hall: give --hall (only an admin acts on every hall)",
            )
        values["active"] = True
        if user is not None:
            conn.execute(update(t.users).where(t.users.c.id == user.id).values(**values))
            if password is not None:
                conn.execute(delete(t.tokens).where(t.tokens.c.user_id == user.id))
            return False
        conn.execute(insert(t.users).values(username=username, **({"display_name": username, "staff_no": ""} | values)))
        return True


# Password checks at once: a flood of sign-ins keeps one core busy at most, the other serves the hall.
_verifying = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


@lru_cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so that a wrong name costs what a wrong
    password costs: answer times do not tell which user names exist."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _active_user(store: Store, username: str) -> Row[Any] | None:
    with store.engine.connect() as conn:
        return conn.execute(select(t.users).where(t.users.c.username == username, t.users.c.active)).first()


def check_password(store: Store, username: str, password: str) -> Row[Any] | None:
    """The active user with this name and password, else None. Reads, then verifies outside any
    transaction: the hash takes ~0.2 s of CPU, which must not hold the store's write lock."""
    user = _active_user(store, username)
    try:
        with _verifying:
            _hasher.verify(user.password_hash if user is not None else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def login(store: Store, username: str, password: str, hours: int) -> Body:
    user = check_password(store, username, password)
    if user is None:
        raise Unauthorized("bad_login", "用户名或密码错误", "wrong username or password")
    token = secrets.token_urlsafe(32)
    now = store.clock.now()
    with store.transaction() as conn:
        # The account may have been disabled or its password changed while the hash was checked.
        still = conn.execute(
            select(t.users.c.id).where(
                t.users.c.id == user.id, t.users.c.active, t.users.c.password_hash == user.password_hash
            )
        ).first()
        if still is None:
            raise Unauthorized("bad_login", "用户名或密码错误", "wrong username or password")
        conn.execute(
            insert(t.tokens).values(
                token_hash=_digest(token),
                kind="user",
                user_id=user.id,
                hall=user.hall,
                created_at=now,
                expires_at=now + timedelta(hours=hours),
            )
        )
    return {
        "token": token,
        "username": user.username,
        "role": user.role,
        "hall": user.hall,
        "name": user.display_name,
        "staff_no": user.staff_no,
    }


def users(store: Store) -> list[Body]:
    with store.engine.connect() as conn:
        return [
            {
                "username": r.username,
                "role": r.role,
                "hall": r.hall,
                "display_name": r.display_name,
                "staff_no": r.staff_no,
                "active": r.active,
                "halls": r.halls,
            }
            for r in conn.execute(select(t.users).order_by(t.users.c.hall, t.users.c.role, t.users.c.username))
        ]


def rename_user(store: Store, username: str, new_name: str) -> None:
    """A new sign-in name (the events keep the name the account had when it acted)."""
    if not new_name.strip() or len(new_name) > 64:
        raise Invalid("bad_username", "用户名须为 1 至 64 个字符", "a user name has 1 to 64 characters")
    with store.transaction() as conn:
        if conn.execute(select(t.users.c.id).where(t.users.c.username == new_name)).first() is not None:
            raise Conflict("user_exists", f"已有用户 {new_name}", f"there is a user {new_name!r} already")
        done = conn.execute(update(t.users).where(t.users.c.username == username).values(username=new_name)).rowcount
    if not done:
        raise NotFound("user_not_found", f"没有用户 {username}", f"no user {username!r}")
    _recent.clear()  # a remembered principal carries the old name


def change_password(store: Store, who: Principal, current: str, new: str, keep_token: str) -> None:
    """A signed-in user changes their own password: the current one is checked (outside any
    transaction, as at sign-in), and every other session of the account ends."""
    if not who.is_user or who.username is None:
        raise Unauthorized("users_only", "仅工作人员账号可修改密码", "only a staff account has a password")
    if len(new) < 6:
        raise Invalid("weak_password", "密码至少 6 位", "a password has at least 6 characters")
    if check_password(store, who.username, current) is None:
        raise Unauthorized("bad_password", "当前密码错误", "the current password is wrong")
    hashed = _hasher.hash(new)
    with store.transaction() as conn:
        conn.execute(update(t.users).where(t.users.c.id == who.user_id).values(password_hash=hashed))
        conn.execute(
            delete(t.tokens).where(t.tokens.c.user_id == who.user_id, t.tokens.c.token_hash != _digest(keep_token))
        )
    _recent.clear()


def has_user(store: Store, username: str) -> bool:
    """Whether an account of this name exists, active or not."""
    with store.engine.connect() as conn:
        return conn.execute(select(t.users.c.id).where(t.users.c.username == username)).first() is not None


def report_lockout(store: Store, username: str | None, address: str, every_seconds: float) -> None:
    """Sign-in is locked for an account (or, without one, for a client address): a `signin.locked`
    event, which the alert engine raises on the dashboard, in the account's hall, or in every hall
    when the account is unknown or of every hall."""
    user = _active_user(store, username) if username else None
    local = store.local_hall_ids()  # a shipped hall's log is written by its own server only
    halls = [h for h in ([user.hall] if user is not None and user.hall else local) if h in local]
    for hall in halls:
        with store.write(hall) as tx:
            tx.emit(SigninLocked(account=username, address=address, retry_every_s=round(every_seconds)), SYSTEM)


def logout(store: Store, token: str) -> None:
    _recent.pop((id(store), _digest(token)), None)
    with store.transaction() as conn:
        conn.execute(delete(t.tokens).where(t.tokens.c.token_hash == _digest(token)))


def disable_user(store: Store, username: str) -> None:
    """Shuts an account out: no new sign-in, and its sessions end (other server processes notice
    within PRINCIPAL_TTL_SECONDS). `add_user` with the same name makes it active again."""
    with store.transaction() as conn:
        user = conn.execute(select(t.users.c.id).where(t.users.c.username == username)).first()
        if user is None:
            raise NotFound("user_not_found", f"没有用户 {username}", f"no user {username!r}")
        conn.execute(update(t.users).where(t.users.c.id == user.id).values(active=False))
        conn.execute(delete(t.tokens).where(t.tokens.c.user_id == user.id))


def tokens(store: Store, hall: str | None = None) -> list[Body]:
    """The device tokens and open sessions, each named by the start of its hash (the token itself
    is not stored)."""
    q = select(t.tokens, t.users.c.username).outerjoin(t.users, t.users.c.id == t.tokens.c.user_id)
    if hall is not None:
        q = q.where(t.tokens.c.hall == hall)
    with store.engine.connect() as conn:
        return [
            {
                "id": r.token_hash[:TOKEN_ID_LENGTH],
                "kind": r.kind,
                "hall": r.hall,
                "user": r.username,
                "window": r.window,
                "label": r.label,
                "created_at": r.created_at.isoformat(),
                "expires_at": r.expires_at.isoformat() if r.expires_at else None,
            }
            for r in conn.execute(q.order_by(t.tokens.c.created_at))
        ]


def revoke_token(store: Store, token_or_id: str) -> int:
    """Revokes a token given itself or its id from `tokens` (a stolen kiosk's, say); servers stop
    accepting it within PRINCIPAL_TTL_SECONDS. Returns how many were revoked (0 or 1)."""
    if len(token_or_id) == TOKEN_ID_LENGTH and all(c in "0123456789abcdef" for c in token_or_id):
        where = t.tokens.c.token_hash.startswith(token_or_id)
    else:
        where = t.tokens.c.token_hash == _digest(token_or_id)
    with store.transaction() as conn:
        found = conn.execute(select(t.tokens.c.token_hash).where(where)).all()
        if len(found) > 1:
            raise Conflict("token_ambiguous", "编号对应多个令牌", "that id matches several tokens")
        if found:
            conn.execute(delete(t.tokens).where(t.tokens.c.token_hash == found[0].token_hash))
    return len(found)


def device_token(store: Store, hall: str, kind: str, window: int | None = None, label: str = "") -> str:
    """A new device token; a rating or window device's names its window (it rates only what that
    window served; a window agent also works the caller there for the clerk signed in).
    The label says which device holds it (`1号自助机`), so a lost one is found in `tokens`."""
    if kind not in DEVICE_KINDS:
        raise Invalid(
            "bad_device_kind",
            f"设备类型须为 {'/'.join(DEVICE_KINDS)}",
            f"kind must be one of {', '.join(DEVICE_KINDS)}",
        )
    if hall not in store.hall_ids():
        raise Conflict("hall_not_found", f"没有大厅 {hall}", f"no hall {hall!r}; load it first")
    if (kind in WINDOW_DEVICES) != (window is not None):
        raise Invalid(
            "device_window",
            "评价器和窗口设备须指定窗口（--window），其他设备不指定",
            "a rating or window device names its window (--window); other devices do not",
        )
    if window is not None:
        with store.read(hall) as r:
            try:
                r.hall.window(window)
            except KeyError:
                raise Conflict("window_not_found", f"没有 {window} 号窗口", f"no window {window} in {hall}") from None
    token = secrets.token_urlsafe(32)
    with store.transaction() as conn:
        conn.execute(
            insert(t.tokens).values(
                token_hash=_digest(token),
                kind=kind,
                hall=hall,
                window=window,
                label=label.strip()[:64],
                created_at=store.clock.now(),
            )
        )
    return token


# Every request names its token; looking it up each time costs two queries. A principal is
# remembered briefly, so a logout or a deactivation reaches other server processes within this.
PRINCIPAL_TTL_SECONDS = 10.0
TOKEN_ID_LENGTH = 12
_recent: dict[tuple[int, str], tuple[float, Principal]] = {}


def remembered(store: Store, token: str) -> Principal | None:
    """The principal of a token looked up in the last few seconds, without touching the database."""
    hit = _recent.get((id(store), _digest(token)))
    return hit[1] if hit and hit[0] > time.monotonic() else None


def principal(store: Store, token: str) -> Principal | None:
    hit = remembered(store, token)
    if hit is not None:
        return hit
    key = (id(store), _digest(token))
    found = _lookup(store, token)
    if found is not None:
        if len(_recent) > 10_000:
            _recent.clear()
        _recent[key] = (time.monotonic() + PRINCIPAL_TTL_SECONDS, found)
    return found


def _lookup(store: Store, token: str) -> Principal | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.tokens).where(t.tokens.c.token_hash == _digest(token))).first()
        if row is None or (row.expires_at is not None and row.expires_at < store.clock.now()):
            return None
        if row.kind != "user":
            return Principal(
                kind=row.kind, hall=row.hall, device_id=row.token_hash[:TOKEN_ID_LENGTH], window=row.window
            )
        user = conn.execute(select(t.users).where(t.users.c.id == row.user_id, t.users.c.active)).first()
        if user is None:
            return None
        return Principal(
            kind="user",
            hall=user.hall,
            user_id=user.id,
            username=user.username,
            role=user.role,
            name=user.display_name,
            staff_no=user.staff_no,
            halls=tuple(user.halls) if user.halls is not None else None,
        )
