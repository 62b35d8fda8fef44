"""Users, passwords, sessions and the audit trail of the review app.

Passwords are hashed with the standard library's scrypt (memory-hard, salted per user); the stored string
carries its parameters so they can be raised later without breaking old hashes. A session cookie is a random
token whose SHA-256 alone is stored, so a copy of the database cannot be used to sign in. Every sign-in and
every change is appended to ``review_audit``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from termtem.golden_store.engine import write_transaction
from termtem.golden_store.migrate import upgrade_schema
from termtem.golden_store.review_schema import REVIEW_ROLES, review_audit, review_session, review_user

#: scrypt cost parameters (n, r, p): about 16 MiB and 50 ms per hash on a laptop.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1

#: How long a sign-in lasts.
SESSION_HOURS = 12

#: Shortest password accepted.
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class User:
    """A signed-in person."""

    username: str
    display_name: str
    role: str

    @property
    def can_decide(self) -> bool:
        """Only stewards decide pairs; viewers look."""
        return self.role == "steward"


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password``, as ``scrypt$n$r$p$salt$hash`` (hex)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from :func:`hash_password` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


def audit(connection: sa.Connection, username: str | None, action: str, target: str | None = None,
          detail: dict | None = None) -> None:
    """Append one event to the audit trail, inside the caller's transaction."""
    connection.execute(review_audit.insert().values(
        audit_id=uuid.uuid4().hex, at=dt.datetime.now(dt.UTC), username=username, action=action, target=target,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail is not None else None))


def add_user(engine: sa.Engine, username: str, password: str, role: str, display_name: str | None = None,
             *, added_by: str | None = None) -> User:
    """Create a user (migrating the database first if needed).

    Raises:
        ValueError: Unknown role, empty name, short password, or the name is taken.
    """
    if role not in REVIEW_ROLES:
        raise ValueError(f"role must be one of {list(REVIEW_ROLES)}, not {role!r}")
    if not username.strip() or username != username.strip():
        raise ValueError("a username must be non-empty, without leading or trailing spaces")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    upgrade_schema(engine)
    user = User(username, display_name or username, role)
    with write_transaction(engine) as connection:
        taken = connection.execute(sa.select(review_user.c.username)
                                   .where(review_user.c.username == username)).first()
        if taken:
            raise ValueError(f"user {username!r} exists already")
        connection.execute(review_user.insert().values(
            username=username, display_name=user.display_name, role=role, password_hash=hash_password(password),
            created_at=dt.datetime.now(dt.UTC), active=True))
        audit(connection, added_by, "add_user", username, {"role": role})
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(engine: sa.Engine, username: str, password: str) -> str | None:
    """Check the password and open a session; return the session token, or ``None`` (audited either way)."""
    with engine.connect() as connection:
        row = connection.execute(sa.select(review_user).where(review_user.c.username == username,
                                                              review_user.c.active)).mappings().first()
    # Hash even for an unknown name, so the response time does not tell which names exist.
    valid = verify_password(password, row["password_hash"] if row else hash_password(""))
    now = dt.datetime.now(dt.UTC)
    with write_transaction(engine) as connection:
        if not (row and valid):
            audit(connection, username if row else None, "sign_in_failed")
            return None
        token = secrets.token_urlsafe(32)
        connection.execute(review_session.insert().values(
            token_hash=_token_hash(token), username=username, created_at=now,
            expires_at=now + dt.timedelta(hours=SESSION_HOURS)))
        audit(connection, username, "sign_in")
    return token


def session_user(engine: sa.Engine, token: str | None) -> User | None:
    """The active user a session token belongs to, or ``None`` for a missing, unknown or expired session."""
    if not token:
        return None
    query = (sa.select(review_user.c.username, review_user.c.display_name, review_user.c.role,
                       review_session.c.expires_at)
             .join(review_session, review_session.c.username == review_user.c.username)
             .where(review_session.c.token_hash == _token_hash(token), review_user.c.active))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    return User(row.username, row.display_name, row.role) if expires > dt.datetime.now(dt.UTC) else None


def sign_out(engine: sa.Engine, token: str, username: str) -> None:
    """End a session (audited)."""
    with write_transaction(engine) as connection:
        connection.execute(review_session.delete().where(review_session.c.token_hash == _token_hash(token)))
        audit(connection, username, "sign_out")


def find_user(engine: sa.Engine, username: str) -> User | None:
    """An active user by name (for the command line, which signs nobody in: database access is the credential)."""
    upgrade_schema(engine)
    with engine.connect() as connection:
        row = connection.execute(sa.select(review_user).where(review_user.c.username == username,
                                                              review_user.c.active)).mappings().first()
    return User(row["username"], row["display_name"], row["role"]) if row else None
