"""Users (argon2 password hashes), sign-in tokens and device tokens.

Tokens are random and stored only as SHA-256 digests: a copy of the database holds no usable token."""
from __future__ import annotations

import hashlib
import secrets
import time
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update

from ..errors import Conflict, Invalid, NotFound, Unauthorized
from ..store import tables as t
from ..store.store import Store
from .principal import DEVICE_KINDS, ROLES, Principal

_hasher = PasswordHasher()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(store: Store, username: str, password: str, role: str, hall: str | None,
             display_name: str = "", staff_no: str = "") -> bool:
    """Creates the user, or updates role, hall, names and password of an existing one.
    Returns True when the user was created."""
    if role not in ROLES:
        raise Invalid("bad_role", f"角色须为 {'/'.join(ROLES)}", f"role must be one of {', '.join(ROLES)}")
    if len(password) < 6:
        raise Invalid("weak_password", "密码至少 6 位", "a password has at least 6 characters")
    values = {"password_hash": _hasher.hash(password), "role": role, "hall": hall,
              "display_name": display_name or username, "staff_no": staff_no, "active": True}
    with store.transaction() as conn:
        exists = conn.execute(select(t.users.c.id).where(t.users.c.username == username)).first()
        if exists:
            conn.execute(update(t.users).where(t.users.c.id == exists.id).values(**values))
            return False
        conn.execute(insert(t.users).values(username=username, **values))
        return True


def login(store: Store, username: str, password: str, hours: int) -> dict:
    with store.transaction() as conn:
        user = conn.execute(select(t.users).where(t.users.c.username == username, t.users.c.active)).first()
        try:
            if user is None:
                raise VerificationError()
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise Unauthorized("bad_login", "用户名或密码错误", "wrong username or password") from None
        token = secrets.token_urlsafe(32)
        now = store.clock.now()
        conn.execute(insert(t.tokens).values(token_hash=_digest(token), kind="user", user_id=user.id,
                                             hall=user.hall, created_at=now, expires_at=now + timedelta(hours=hours)))
        return {"token": token, "username": user.username, "role": user.role, "hall": user.hall,
                "name": user.display_name, "staff_no": user.staff_no}


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


def tokens(store: Store, hall: str | None = None) -> list[dict]:
    """The device tokens and open sessions, each named by the start of its hash (the token itself
    is not stored)."""
    q = select(t.tokens, t.users.c.username).outerjoin(t.users, t.users.c.id == t.tokens.c.user_id)
    if hall is not None:
        q = q.where(t.tokens.c.hall == hall)
    with store.engine.connect() as conn:
        return [{"id": r.token_hash[:TOKEN_ID_LENGTH], "kind": r.kind, "hall": r.hall, "user": r.username,
                 "created_at": r.created_at.isoformat(), "expires_at": r.expires_at.isoformat() if r.expires_at else None}
                for r in conn.execute(q.order_by(t.tokens.c.created_at))]


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


def device_token(store: Store, hall: str, kind: str) -> str:
    if kind not in DEVICE_KINDS:
        raise Invalid("bad_device_kind", f"设备类型须为 {'/'.join(DEVICE_KINDS)}", f"kind must be one of {', '.join(DEVICE_KINDS)}")
    if hall not in store.hall_ids():
        raise Conflict("hall_not_found", f"没有大厅 {hall}", f"no hall {hall!r}; load it first")
    token = secrets.token_urlsafe(32)
    with store.transaction() as conn:
        conn.execute(insert(t.tokens).values(token_hash=_digest(token), kind=kind, hall=hall, created_at=store.clock.now()))
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
            return Principal(kind=row.kind, hall=row.hall)
        user = conn.execute(select(t.users).where(t.users.c.id == row.user_id, t.users.c.active)).first()
        if user is None:
            return None
        return Principal(kind="user", hall=user.hall, user_id=user.id, username=user.username, role=user.role,
                         name=user.display_name, staff_no=user.staff_no)
