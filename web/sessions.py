"""Who is signed in: sessions kept in the memory of one `phasegate serve` process.

A browser holds only a random session id, in a cookie that is HttpOnly (no script reads it) and
SameSite=Strict (no other site's page sends it). Every session, also the one a sign-in page opens
before anyone signs in, has its own CSRF token, which each state-changing request must echo in the
`X-CSRF-Token` header or a `csrf` form field. Signing in replaces the session id (no fixation);
signing out or a restart of the server ends every session.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

COOKIE = "phasegate_session"
IDLE_SECONDS = 8 * 3600
MAX_SESSIONS = 10_000


@dataclass
class Session:
    id: str
    csrf: str
    person: str | None = None
    token_id: str | None = None   # the token the person signed in with: revoking it ends the session
    seen: float = field(default_factory=time.monotonic)

    def csrf_matches(self, given: str | None) -> bool:
        return isinstance(given, str) and hmac.compare_digest(given.encode(), self.csrf.encode())


class Sessions:
    """Session id → Session, with idle expiry; thread-safe."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS):
        self.idle = idle_seconds
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            found = self._by_id.get(session_id)
            if found is None:
                return None
            now = time.monotonic()
            if now - found.seen > self.idle:
                del self._by_id[session_id]
                return None
            found.seen = now
            return found

    def open(self, person: str | None = None, token_id: str | None = None) -> Session:
        with self._lock:
            if len(self._by_id) >= MAX_SESSIONS:  # the oldest anonymous ones go first
                for sid, s in sorted(self._by_id.items(), key=lambda kv: (kv[1].person is not None, kv[1].seen))[:1000]:
                    del self._by_id[sid]
            session = Session(id=secrets.token_urlsafe(32), csrf=secrets.token_urlsafe(32), person=person,
                              token_id=token_id)
            self._by_id[session.id] = session
            return session

    def close(self, session_id: str) -> None:
        with self._lock:
            self._by_id.pop(session_id, None)


def cookie_header(session: Session, secure: bool) -> str:
    return (f"{COOKIE}={session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={IDLE_SECONDS}"
            + ("; Secure" if secure else ""))
