"""Personal access tokens: how a person proves who they are to `phasegate serve`.

A token reads `pgt_<id>_<secret>`. The id (8 hex digits) is public: lists show it and
`phasegate people revoke` takes it. The secret (32 random bytes, URL-safe) is shown once, when an
administrator issues the token, and the store keeps only scrypt(secret, salt) with a salt of its own
per token. Checking a token costs one scrypt (tens of milliseconds), so a person signs in once and
the web face keeps a session; a wrong, revoked or malformed token gets one answer, naming nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from engine.errors import NotAllowed

PREFIX = "pgt_"
_ID = r"[0-9a-f]{8}"   # a token's public id
_SHAPE = re.compile(rf"pgt_({_ID})_([A-Za-z0-9_-]{{43}})")
# scrypt's cost: 2**14 rounds of 8-block mixing, 16 MiB of memory per check
_N, _R, _P, _LENGTH = 2 ** 14, 8, 1, 32


class TokenRefused(NotAllowed):
    """A token that is malformed, unknown, revoked or whose secret does not match."""

    reference = "token-refused"


def digest(secret: str, salt_hex: str) -> str:
    """The stored hash of a token secret under its salt (hex)."""
    return hashlib.scrypt(secret.encode("ascii"), salt=bytes.fromhex(salt_hex), n=_N, r=_R, p=_P,
                          maxmem=64 * 1024 * 1024, dklen=_LENGTH).hex()


def new_token() -> tuple[str, str, str, str]:
    """(token id, the whole token text, salt hex, hash hex) of a fresh token."""
    token_id = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    return token_id, f"{PREFIX}{token_id}_{secret}", salt, digest(secret, salt)


def id_in(text: str) -> str | None:
    """The public id of a whole token `pgt_<id>_<secret>`, or None when `text` is not one."""
    match = _SHAPE.fullmatch(text)
    return match.group(1) if match else None


def looks_like_id(text: str) -> bool:
    return re.fullmatch(_ID, text) is not None


def token_row(store, text: str) -> dict:
    """The store's row of a live token; TokenRefused, with the same words, for anything else."""
    refused = TokenRefused("the token is not valid (wrong, revoked or mistyped)",
                           hint="ask an administrator for a new one: phasegate people token NAME")
    found = _SHAPE.fullmatch(text.strip()) if isinstance(text, str) and len(text) < 200 else None
    if found is None:
        raise refused
    row = store.token(found.group(1))
    if row is None:
        digest(found.group(2), "00" * 16)  # as long as a real check: the answer's time tells nothing
        raise refused
    if not hmac.compare_digest(digest(found.group(2), row["salt"]), row["hash"]) or row["revoked_at"] is not None:
        raise refused
    return row
