"""The SQL of personal access tokens (schema 4): rows of `tokens`, mixed into `Store`.

A row keeps a token's public id, its person, the salt and the scrypt hash of its secret, who issued
it and when, and when it was revoked; never the secret itself. Hashing is `engine/tokens.py`'s job.
"""

from __future__ import annotations

TOKEN_COLUMNS = "id, person, salt, hash, issued_by, issued_at, revoked_at"


def _rows(cursor) -> list[dict]:
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


class TokenRows:
    """`Store` methods over the `tokens` table (they use the store's `_x` and `atomic`)."""

    def add_token(self, *, token_id: str, person: str, salt: str, hash: str, issued_by: str, now: str) -> None:
        with self.atomic():
            self._x(f"INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL)",
                    (token_id, person, salt, hash, issued_by, now))

    def token(self, token_id: str) -> dict | None:
        rows = _rows(self._x(f"SELECT {TOKEN_COLUMNS} FROM tokens WHERE id = ?", (token_id,)))
        return rows[0] if rows else None

    def tokens(self, person: str | None = None) -> list[dict]:
        sql, args = f"SELECT {TOKEN_COLUMNS} FROM tokens", ()
        if person is not None:
            sql, args = sql + " WHERE person = ?", (person,)
        return _rows(self._x(sql + " ORDER BY issued_at, id", args))

    def revoke_tokens(self, *, now: str, token_id: str | None = None, person: str | None = None) -> list[str]:
        """Revoke one token by id, or every live token of a person; returns the ids revoked."""
        with self.atomic():
            where, args = ("id = ?", (token_id,)) if token_id is not None else ("person = ?", (person,))
            ids = [r[0] for r in self._x(f"SELECT id FROM tokens WHERE {where} AND revoked_at IS NULL ORDER BY id", args)]
            if ids:
                self._x(f"UPDATE tokens SET revoked_at = ? WHERE {where} AND revoked_at IS NULL", (now, *args))
            return ids

    def latest_audit_id(self) -> int:
        """The id of the newest audit row (0 when none): every write adds one, so it is the store's revision."""
        row = self._x("SELECT MAX(id) FROM audit").fetchone()
        return row[0] or 0
