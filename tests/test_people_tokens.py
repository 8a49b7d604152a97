"""An administrator (管理层) issues personal access tokens for `phasegate serve` and revokes them; the
store keeps only a salted hash, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import re

import pytest

from conftest import MANAGER, PM, TECH, store_bytes
from engine.store.store import Store

pytestmark = pytest.mark.store


def test_a_manager_issues_a_token_shown_once_and_the_store_keeps_only_its_hash(terminal):
    issued = terminal.json("people", "token", PM, user=MANAGER)
    assert issued["person"] == PM and issued["issued_by"] == MANAGER and issued["revoked_at"] is None
    token = issued["token"]
    assert re.fullmatch(r"pgt_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", token) and token[4:12] == issued["token_id"]
    store = Store(terminal.db)
    try:
        (row,) = store.tokens(PM)
        assert row["id"] == issued["token_id"] and len(bytes.fromhex(row["salt"])) == 16
        assert token.split("_", 2)[2] not in repr(row) and len(row["hash"]) == 64
        audit = store.audit()[-1]
        assert (audit["actor"], audit["action"]) == (MANAGER, "token-issue")
        assert token.split("_", 2)[2] not in audit["data_json"]
    finally:
        store.close()
    second = terminal.json("people", "token", PM, user=MANAGER)
    assert second["token"] != token
    text = terminal.run("people", "token", TECH, user=MANAGER)
    assert text.exit_code == 0 and text.stdout.startswith(f"token ") and "pgt_" in text.stdout


def test_someone_outside_the_admin_lane_may_not_issue_or_revoke_and_nothing_changes(terminal):
    terminal.json("people", "token", PM, user=MANAGER)
    before = store_bytes(terminal.db)
    refused = terminal.run("people", "token", TECH, user=PM)
    assert refused.exit_code == 5
    assert refused.stderr.strip() == f"phasegate: not-allowed: {PM} may not change lanes: only members of 管理层 may"
    assert terminal.run("people", "revoke", PM, user=TECH).exit_code == 5
    nobody = terminal.run("people", "token", "无名氏", user=MANAGER)
    assert nobody.exit_code == 5 and "无名氏" in nobody.stderr
    assert store_bytes(terminal.db) == before


def test_a_token_is_revoked_by_its_id_or_with_every_token_of_its_person(terminal):
    first = terminal.json("people", "token", PM, user=MANAGER)
    second = terminal.json("people", "token", PM, user=MANAGER)
    by_id = terminal.json("people", "revoke", first["token_id"], user=MANAGER)
    assert [(t["token_id"], bool(t["revoked_at"])) for t in by_id] == [(first["token_id"], True)]
    by_name = terminal.json("people", "revoke", PM, user=MANAGER)
    assert [t["token_id"] for t in by_name] == [second["token_id"]]
    again = terminal.run("people", "revoke", PM, user=MANAGER)
    assert again.exit_code == 4 and again.stderr.strip() == f"phasegate: not-found: no live token of {PM}"
    from engine.api import Engine
    from engine.tokens import TokenRefused
    from processes.programme import build

    engine = Engine.open(terminal.db, build())
    try:
        for token in (first["token"], second["token"], first["token"][:-1] + "x", "pgt_zz"):
            with pytest.raises(TokenRefused, match=r"^the token is not valid \(wrong, revoked or mistyped\)"):
                engine.signed_in(token)
        live = terminal.json("people", "token", TECH, user=MANAGER)
        assert engine.signed_in(live["token"]).person == TECH
    finally:
        engine.store.close()
