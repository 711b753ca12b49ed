"""Secrets: unit links and API tokens, the admin password, admin sessions, CSRF tokens.

Every token is 256 random bits (``secrets.token_urlsafe(32)``), shown once and stored only as
its SHA-256 (a fast hash is right for random secrets of that size: nothing to brute-force). The
admin password is stored as an argon2id hash, as a password should be, whatever its origin.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

TOKEN_BYTES = 32  # 256 bits, twice the 128 the issue asks for


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


class PasswordCheck:
    """argon2 verification with a small in-process memo of recent successes, so that a script
    calling the admin API many times pays the (deliberately slow) hash once a minute, not per call."""

    def __init__(self, ttl: float = 60.0):
        self.ttl = ttl
        self._ok: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def __call__(self, stored_hash: str, password: str) -> bool:
        if not stored_hash or not password or len(password) > 1024:
            return False
        key = (stored_hash, token_hash(password))
        now = time.monotonic()
        with self._lock:
            if self._ok.get(key, 0) > now:
                return True
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            PasswordHasher().verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        with self._lock:
            self._ok = {k: t for k, t in self._ok.items() if t > now}
            self._ok[key] = now + self.ttl
        return True


def csrf_token(secret: str, scope: str) -> str:
    """A form token bound to who is using the page (a unit's link, an admin session)."""
    return hmac.new(secret.encode(), b"csrf:" + scope.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, scope: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(secret, scope), given or "")


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
