"""Replays every case of every ``test-vectors/*.json`` file through the Python API.

Each file needs a replayer below, and each case's ``operation`` must be one the replayer
knows: a new file or operation fails here instead of being skipped silently.
"""

from __future__ import annotations

import base64
import json
import pathlib
from typing import Any, Callable

import pytest

import sealwright
from sealwright import _native, attendance, handshake, relay, shares, vault

from conftest import VECTORS
from helpers import MemoryStore

Case = dict[str, Any]


def expect_error(code: str, fn: Callable[[], object]) -> None:
    with pytest.raises(sealwright.SealwrightError) as info:
        fn()
    assert info.value.code == code, f"expected {code}, got {info.value.code}"
    # The exception class is the code's own subclass.
    assert type(info.value).__name__ == "".join(w.capitalize() for w in code.split("_"))


def script(*hex_chunks: str) -> None:
    """The next RNG the core gets returns these recorded bytes first (test-utils build)."""
    _native._testing_script_next_rng([bytes.fromhex(h) for h in hex_chunks])


# --- relay.json -----------------------------------------------------------------------------


def relay_signing_key(case: Case) -> relay.RelaySigningKey:
    return relay.RelaySigningKey(case["skid"], bytes.fromhex(case["signingPrivate"]))


def relay_server(case: Case) -> relay.RelayServer:
    key = relay.RelayKey(case["rkid"], bytes.fromhex(case["relayKey"]))
    return relay.RelayServer(key, relay_signing_key(case))


def relay_pinned(case: Case) -> relay.RelayVerifyingKey:
    return relay.RelayVerifyingKey(case["skid"], case["signingJwk"])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def replay_relay(case: Case) -> None:
    op = case.get("operation")
    if op is None:
        key = relay.RelayKey(case["rkid"], bytes.fromhex(case["relayKey"]))
        value = bytes.fromhex(case["value"])
        sealed = key.seal_with_iv(value, case["aud"], bytes.fromhex(case["sealIv"]))
        assert sealed == case["sealed"]
        registered = relay.register(case["recipientJwk"])
        assert registered.rid == case["rid"]
        assert registered.to_jwk()["n"] == case["recipientJwk"]["n"]
        signing = relay_signing_key(case)
        assert signing.public_jwk() == case["signingJwk"]
        assert relay_pinned(case) == signing.verifying_key()
        server = relay_server(case)
        # The recorded CEK and IV make the response byte-identical except for the OAEP key
        # (randomized); the inner ES256 JWS is deterministic (RFC 6979).
        script(case["cek"], case["responseIv"])
        accepted = server.decrypt_request(
            case["request"], {registered.rid: registered}, set(), now_ms=case["now"] * 1000
        )
        ours, theirs = accepted.response.split("."), case["response"].split(".")
        assert [ours[i] for i in (0, 2, 3, 4)] == [theirs[i] for i in (0, 2, 3, 4)]
        header = json.loads(base64.urlsafe_b64decode(theirs[0] + "=="))
        assert header == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": case["rid"], "cty": "JWT"}
        inner_header, inner_payload, _ = case["responseJws"].split(".")
        assert json.loads(base64.urlsafe_b64decode(inner_header + "==")) == {"alg": "ES256", "kid": case["skid"]}
        assert base64.urlsafe_b64decode(inner_payload + "==").decode() == (
            f'{{"jti":"{case["jti"]}","iat":{case["responseIat"]},"value":"{b64url(value)}"}}'
        )
        assert accepted.jti == case["jti"]
        assert accepted.rid == case["rid"]
        assert accepted.effect.op == "put_if_absent"
        assert accepted.effect.key == "sw:v1:relay:jti:" + case["jti"]
        assert accepted.effect.ttl_seconds == 660
        recipient = relay.Recipient.from_pkcs8_der(bytes.fromhex(case["recipientPrivateKeyPkcs8"]))
        assert recipient.rid == case["rid"]
        pinned = relay_pinned(case)
        for response in (accepted.response, case["response"]):
            assert recipient.open_response_for_jti(response, case["jti"], pinned) == value
            expect_error("REPLAY", lambda: recipient.open_response_for_jti(response, "A" * 22, pinned))
        # The same request again is a replay.
        expect_error(
            "REPLAY",
            lambda: server.decrypt_request(
                case["request"], {registered.rid: registered}, {case["jti"]}, case["now"] * 1000
            ),
        )
        return
    code = case["expectedError"]
    if op == "register":
        expect_error(code, lambda: relay.register(case["recipientJwk"]))
    elif op == "serverDecrypt":
        registered = relay.register(case["recipientJwk"])
        seen = set(case["seenJtis"])
        expect_error(
            code,
            lambda: relay_server(case).decrypt_request(
                case["request"], {registered.rid: registered}, seen, case["now"] * 1000
            ),
        )
    elif op == "recipientOpen":
        recipient = relay.Recipient.from_pkcs8_der(bytes.fromhex(case["recipientPrivateKeyPkcs8"]))
        assert recipient.jwk()["n"] == case["recipientJwk"]["n"]
        pinned = relay_pinned(case)
        expect_error(code, lambda: recipient.open_response_for_jti(case["response"], case["jti"], pinned))
    else:
        pytest.fail(f"relay.json: unknown operation {op!r}")


# --- shares.json ----------------------------------------------------------------------------

SHARES_SEALER = sealwright.StoreSealer(b"\x5e" * 32)


def check_share_block(case: Case, block: Case, envelopes: list[str]) -> None:
    """Recomputes every share of a generation: y = d + a*x mod n, its plaintext, the Argon2id
    key and the envelope byte for byte (from the recorded salt and IV)."""
    password = case["password"]
    d = int(case["walletPrivate"], 16)
    a = int(block["coefficient"], 16)
    generation = block["generation"]
    assert [s["x"] for s in block["shares"]] == [1, 2, 3]
    for share, envelope in zip(block["shares"], envelopes):
        x = share["x"]
        y = (d + a * x) % shares.CURVE_ORDER
        plaintext = shares.SharePlaintext(x, generation, y.to_bytes(32, "big"))
        assert plaintext.to_bytes().hex() == share["plaintext"]
        assert shares.SharePlaintext.decode(bytes.fromhex(share["plaintext"])).x == x
        salt, iv = bytes.fromhex(share["salt"]), bytes.fromhex(share["iv"])
        assert shares.derive_key(password, salt).hex() == share["argon2Key"]
        assert shares.seal_envelope(password, plaintext, salt, iv) == share["envelope"]
        assert envelope == share["envelope"]


def replay_shares(case: Case) -> None:
    op = case.get("operation")
    if op is None:
        password, address, message = case["password"], case["address"], case["message"]
        key = shares.WalletKey.from_bytes(bytes.fromhex(case["walletPrivate"]))
        assert key.address == address == shares.checksum_address(address.lower())
        assert case["generation"] == 0
        envs = [s["envelope"] for s in case["shares"]]
        check_share_block(case, case, envs)
        assert shares.personal_message_hash(message).hex() == case["messageHash"]
        assert key.sign_message(message) == case["signature"]
        assert shares.sign(password, envs[0], envs[1], address, message) == case["signature"]
        assert shares.recover_signer(message, case["signature"]) == address
        opened = shares.open_wallet(password, envs[1], envs[2], address)
        assert (opened.key.address, opened.generation) == (address, 0)
        # The recorded recovery, recomputed from its coefficient, salts and IVs.
        block = case["recovery"]
        assert block["generation"] == 1
        new = [s["envelope"] for s in block["shares"]]
        check_share_block(case, block, new)
        assert shares.sign(password, new[0], new[1], address, message) == case["signature"]
        # create, sign and the three recovery steps replayed with the recorded d, a, salts, IVs
        # and split ids, against a hot and a cold store: byte for byte.
        hot, cold = MemoryStore(), MemoryStore()

        def commit(effects: list[sealwright.Effect]) -> bool:
            for e in effects:
                assert e.store in ("main", "cold")
            main = [e for e in effects if e.store == "main"]
            cold_effects = [e for e in effects if e.store == "cold"]
            return cold.apply(cold_effects, 0) and hot.apply(main, 0)

        chunks = [case["walletPrivate"], case["coefficient"]]
        for s in case["shares"]:
            chunks += [s["salt"], s["iv"]]
        script(*chunks, case["splitId"])
        created, effects = shares.create(password, SHARES_SEALER)
        assert created.address == address
        assert [created.user_envelope, created.hot_envelope, created.cold_envelope] == envs
        assert created.split.split_id.hex() == case["splitId"]
        keys = case["storeKeys"]
        assert [(e.op, e.key, e.store) for e in effects] == [
            ("put", keys["hot"], "main"),
            ("put", keys["cold"], "cold"),
            ("put_if_absent", keys["current"], "main"),
        ]
        assert keys["current"] == shares.current_key(address)
        assert keys["hot"] == shares.hot_key(address, 0, created.split.split_id)
        assert keys["current"].startswith("sw:v1:shares:" + shares.wallet_tag(address) + ":")
        assert commit(effects)
        split = shares.LoadedSplit.open(SHARES_SEALER, address, hot.get(keys["current"], 0))
        assert split.pointer == created.split and split.hot_key == keys["hot"]
        hot_value = hot.get(split.hot_key, 0)
        assert split.sign(password, envs[0], SHARES_SEALER, hot_value, message) == case["signature"]

        chunks = [block["coefficient"]]
        for s in block["shares"]:
            chunks += [s["salt"], s["iv"]]
        script(*chunks, block["splitId"])
        staged, effects = split.stage(
            password, SHARES_SEALER, hot_value, cold.get(split.cold_key, 0)
        )
        new_keys = block["storeKeys"]
        assert [(e.op, e.key, e.store) for e in effects] == [
            ("put", new_keys["hot"], "main"),
            ("put", new_keys["cold"], "cold"),
        ]
        assert commit(effects)
        moving, effects = staged.move_pointer()
        assert [(e.op, e.key, e.store, e.expected) for e in effects] == [
            ("put_if_equal", keys["current"], "main", split.value)
        ]
        assert commit(effects)
        recovered, effects = moving.won()
        assert [(e.op, e.key, e.store) for e in effects] == [
            ("delete", keys["hot"], "main"),
            ("delete", keys["cold"], "cold"),
        ]
        assert commit(effects)
        assert [recovered.user_envelope, recovered.hot_envelope, recovered.cold_envelope] == new
        assert (recovered.generation, recovered.split.split_id.hex()) == (1, block["splitId"])
        assert sorted(hot.data) == sorted([new_keys["current"], new_keys["hot"]])
        assert sorted(cold.data) == [new_keys["cold"]]
        split = shares.LoadedSplit.open(SHARES_SEALER, address, hot.get(keys["current"], 0))
        signature = split.sign(
            password, recovered.user_envelope, SHARES_SEALER, hot.get(split.hot_key, 0), message
        )
        assert signature == case["signature"]
        return
    code = case["expectedError"]
    if op == "open":
        expect_error(code, lambda: shares.open_envelope(case["password"], case["envelope"]))
    elif op == "combine":
        first, second = case["envelopes"]
        expect_error(
            code, lambda: shares.open_wallet(case["password"], first, second, case["address"])
        )
    else:
        pytest.fail(f"shares.json: unknown operation {op!r}")


# --- vault.json -----------------------------------------------------------------------------
# Spec version 2: record `plaintext` (legacy and v2) is hex; passwords, the legacy `secret`
# and identifiers are UTF-8 text. Negative `unlock` cases pass `kdf` as the JSON text of
# whatever the case holds (object or not), so the core's §4.2 KDF object rules decide.
# Positive cases recomputed byte for byte (create_vault, records, password change and PHC
# verifiers with their recorded salts/keys/nonces through the scripted RNG; MK/AH/WK; legacy
# keys). Legacy records are never written by the public API (the core writes them only
# under its test-utils `legacy_compat`), so they are checked by opening and migrating.


def vault_unlock(case: Case) -> vault.UnlockedVault:
    return vault.unlock(
        case["userId"],
        case["masterPassword"],
        bytes.fromhex(case["salt"]),
        sealwright.to_json(case["kdf"]),
        case["wrappedVaultKey"],
    )


def check_vault_keys(v: Case, prefix: str, params: Case, password: str, salt: bytes) -> bytes:
    def field(name: str) -> str:
        value: str = v[prefix + name[0].upper() + name[1:] if prefix else name]
        return value

    mk = vault.master_key(password, salt, params)
    assert mk.hex() == field("masterKey")
    ah = vault.auth_hash(mk)
    assert ah.hex() == field("authHash")
    assert vault.auth_verifier(ah).hex() == field("authVerifier")
    assert vault.verify_auth_hash(vault.auth_verifier(ah), ah)
    assert not vault.verify_auth_hash(vault.auth_verifier(ah), mk)
    wk = vault.wrap_key(mk)
    assert wk.hex() == field("wrapKey")
    return wk


def check_vault_v2(v: Case) -> vault.UnlockedVault:
    user_id, password = v["userId"], v["masterPassword"]
    assert vault.parse_kdf(v["kdf"]) == v["kdf"]
    assert sealwright.to_json(vault.parse_kdf(v["kdf"])) == sealwright.to_json(v["kdf"])
    salt = bytes.fromhex(v["salt"])
    wk = check_vault_keys(v, "", v["kdf"], password, salt)
    script(v["salt"], v["vaultKey"], v["wrapNonce"])
    enrollment, created = vault.create_vault(user_id, password, v["kdf"])
    assert enrollment.server.wrapped_vault_key == v["wrappedVaultKey"]
    assert enrollment.server.auth_verifier.hex() == v["authVerifier"]
    assert enrollment.auth_hash.hex() == v["authHash"] and enrollment.server.salt == salt
    assert created.vault_key().hex() == v["vaultKey"]
    unlocked = vault_unlock(v)
    assert unlocked.vault_key().hex() == v["vaultKey"]
    assert vault.unlock_with_wrap_key(user_id, wk, v["wrappedVaultKey"]).vault_key().hex() == v["vaultKey"]
    for r in v["records"]:
        assert vault.record_format(r["record"]) == "v2"
        assert unlocked.decrypt_record(r["recordId"], r["record"]) == bytes.fromhex(r["plaintext"])
        script(r["nonce"])
        assert unlocked.encrypt_record(r["recordId"], bytes.fromhex(r["plaintext"])) == r["record"]
    pc = v["passwordChange"]
    new_salt = bytes.fromhex(pc["newSalt"])
    check_vault_keys(pc, "new", pc["newKdf"], pc["newMasterPassword"], new_salt)
    reopened = vault.unlock(
        user_id, pc["newMasterPassword"], new_salt, pc["newKdf"], pc["newWrappedVaultKey"]
    )
    assert reopened.vault_key().hex() == v["vaultKey"]
    for r in v["records"]:
        assert reopened.decrypt_record(r["recordId"], r["record"]) == bytes.fromhex(r["plaintext"])
    # The change itself, replayed with the recorded salt and nonce.
    script(pc["newSalt"], pc["newWrapNonce"])
    changed = unlocked.change_master_password(pc["newMasterPassword"], pc["newKdf"])
    assert changed.server.wrapped_vault_key == pc["newWrappedVaultKey"]
    assert changed.server.auth_verifier.hex() == pc["newAuthVerifier"]
    assert changed.server.kdf == pc["newKdf"]
    assert changed.server.verify_auth_hash(changed.auth_hash)
    again = vault.unlock(
        user_id,
        pc["newMasterPassword"],
        changed.server.salt,
        changed.server.kdf,
        changed.server.wrapped_vault_key,
    )
    assert again.vault_key().hex() == v["vaultKey"]
    return unlocked


def check_vault_legacy(entry: Case, unlocked: vault.UnlockedVault) -> None:
    if entry["withMasterPassword"]:
        key = vault.LegacyKey.from_master_password(entry["secret"], entry["userId"])
    else:
        key = vault.LegacyKey.from_server_secret(entry["secret"], entry["userId"])
    assert key.secret_bytes().hex() == entry["pbkdf2Key"]
    record = entry["record"]
    assert vault.parse_legacy_record(record) == record
    assert sealwright.to_json(vault.parse_legacy_record(sealwright.to_json(record))) == sealwright.to_json(record)
    assert bytes.fromhex(entry["iv"]) == base64.b64decode(record["iv"])
    assert key.open(record) == bytes.fromhex(entry["plaintext"])
    assert vault.record_format(record) == "legacy"
    migrated = unlocked.migrate_record(key, "migrated", record)
    assert migrated.changed
    assert unlocked.decrypt_record("migrated", migrated.record) == bytes.fromhex(entry["plaintext"])
    again = unlocked.migrate_record(key, "migrated", migrated.record)
    assert (again.changed, again.record) == (False, migrated.record)


def check_vault_verifier(v: Case) -> None:
    parsed = vault.PasswordVerifier.parse(v["phc"])
    assert parsed.salt.hex() == v["salt"]
    assert parsed.to_phc() == v["phc"]
    assert parsed.verify(v["password"])
    assert not parsed.verify(v["password"] + "x")
    assert vault.verify_phc(v["phc"], v["password"]) is True
    script(v["salt"])
    assert vault.PasswordVerifier.create(v["password"], parsed.iterations).to_phc() == v["phc"]


def replay_vault(case: Case) -> None:
    op = case.get("operation")
    if op is None:
        unlocked = check_vault_v2(case["v2"])
        assert case["legacy"] and case["verifiers"]
        for entry in case["legacy"]:
            check_vault_legacy(entry, unlocked)
        for v in case["verifiers"]:
            check_vault_verifier(v)
        return
    code = case["expectedError"]
    if op == "openLegacy":
        expect_error(
            code,
            lambda: vault.LegacyKey.from_server_secret(case["secret"], case["userId"]).open(
                sealwright.to_json(case["record"])
            ),
        )
    elif op == "parseVerifier":
        expect_error(code, lambda: vault.PasswordVerifier.parse(case["phc"]))
    elif op == "unlock":
        expect_error(code, lambda: vault_unlock(case))
    elif op == "openRecord":
        unlocked = vault_unlock(case)
        expect_error(code, lambda: unlocked.decrypt_record(case["recordId"], case["record"]))
    else:
        pytest.fail(f"vault.json: unknown operation {op!r}")


# --- attendance.json, totp.json, scoring.json ----------------------------------------------
# Replayed through the public API with the recorded random values fed by the test build's
# scripted RNG: login (C, S, session key, challenge), every QR text, every response without
# a substituted nonce/TOTPs (those two are built with values no API call produces, so they
# are checked by the server's validation only), then steps 1 to 7 on every recorded response.


def attendance_keys(case: Case) -> attendance.SessionKeys:
    user_id = case["userId"]
    nonce = bytes.fromhex(case["loginNonce"])
    challenge = attendance.login_challenge(nonce, bytes.fromhex(case["clientPublic"]), user_id)
    assert challenge.hex() == case["webauthnChallenge"]
    # Login replayed with the recorded X25519 private keys.
    script(case["clientPrivate"])
    client = attendance.ClientLogin(user_id, nonce)
    assert client.client_public.hex() == case["clientPublic"]
    assert client.challenge() == challenge
    script(case["serverPrivate"])
    server = attendance.server_login(user_id, nonce, client.client_public)
    assert server.server_public.hex() == case["serverPublic"]
    assert server.keys.session_key().hex() == case["sessionKey"]
    assert client.finish(server.server_public).session_key().hex() == case["sessionKey"]
    keys = attendance.SessionKeys.from_session_key(user_id, bytes.fromhex(case["sessionKey"]))
    assert keys.qr_key().hex() == case["qrKey"]
    assert keys.response_key().hex() == case["responseKey"]
    assert keys.totp_u_key().hex() == case["totpUKey"]
    return keys


def replay_attendance_rounds(case: Case, keys: attendance.SessionKeys) -> tuple[list[str], list[int]]:
    server_secret = bytes.fromhex(case["serverSecret"])
    session_id, user_id = case["sessionId"], case["userId"]
    metas: dict[int, attendance.RoundMetadata] = {}
    issued: set[int] = set()
    results: list[str] = []
    rts: list[int] = []
    for e in case["rounds"]:
        r = e["round"]
        secret_s = attendance.round_secret(server_secret, session_id, user_id, r)
        assert secret_s.hex() == e["roundSecret"]
        assert attendance.totp_s(secret_s, e["issuedAtMs"]) == e["totpS"]
        assert attendance.Totp(secret_s).generate(e["issuedAtMs"]) == e["totpS"]
        if r not in issued:
            issued.add(r)
            script(e["qrNonce"], e["qrSealNonce"])
            round_ = attendance.issue_round(keys, server_secret, session_id, r, e["issuedAtMs"])
            assert round_.qr_text == e["qrText"], case["name"]
            metas[r] = round_.metadata
        if "attemptsBefore" in e:
            metas[r] = metas[r].with_attempts(e["attemptsBefore"])
        # Student: the QR opens with K_qr to the recorded round, time, TOTPs and nonce.
        qr = attendance.try_qr(keys, e["qrText"])
        assert (qr.round, qr.issued_at_ms, qr.totp_s) == (r, e["issuedAtMs"], e["totpS"])
        assert qr.session_id == session_id and qr.user_id == user_id
        assert qr.matches(attendance.RoundMetadata(e["issuedAtMs"], bytes.fromhex(e["qrNonce"])))
        totp_u = attendance.Totp(keys.totp_u_key()).generate(e["clientSentAtMs"])
        assert totp_u == e["totpU"]
        if not {"responseNonce", "responseTotpS"} & set(e):
            # The response replayed with the recorded seal nonce (a tampered case differs).
            script(e["responseSealNonce"])
            own = attendance.respond(keys, qr, e["clientSentAtMs"])
            assert (own == e["response"]) != ("tamper" in e), case["name"]
            # Opened at the student's own time, where its TOTPu is current by construction.
            opened_own = attendance.open_response(keys, own, e["clientSentAtMs"])
            assert opened_own.client_sent_at_ms == e["clientSentAtMs"]
        # Server: steps 1 to 7 on the recorded response.
        lookup = keys if e["response"]["userId"] == user_id else None
        shown = [] if e["shownAtMs"] is None else [e["shownAtMs"]]
        rt = None
        try:
            opened = attendance.open_response(lookup, e["response"], e["receivedAtMs"])
        except sealwright.SealwrightError as err:
            code = err.code
        else:
            assert opened.client_sent_at_ms == e["clientSentAtMs"]
            verdict = opened.check(server_secret, metas.get(r), shown)
            if verdict.metadata_action == "put":
                meta = verdict.metadata
                assert meta is not None
                metas[r] = meta
            elif verdict.metadata_action == "delete":
                del metas[r]
            if verdict.ok:
                code, rt = "OK", verdict.rt_ms
                assert rt == e["receivedAtMs"] - max(shown)
            else:
                assert verdict.code is not None
                code = verdict.code
                with pytest.raises(sealwright.SealwrightError) as info:
                    verdict.raise_for_error()
                assert info.value.code == code
        assert code == e["result"], f"{case['name']}: round {r}"
        assert rt == e["rtMs"], f"{case['name']}: rtMs"
        if rt is not None:
            rts.append(rt)
        results.append(code)
    return results, rts


def replay_attendance(case: Case) -> None:
    op = case.get("operation")
    if op is None:
        keys = attendance_keys(case)
        results, rts = replay_attendance_rounds(case, keys)
        assert results[-1] == "OK"
        sc = attendance.score(rts)
        assert (sc.certainty, sc.label, sc.status) == (case["certainty"], case["label"], case["status"])
        return
    code = case["expectedError"]
    if op == "validate":
        keys = attendance_keys(case)
        results, _ = replay_attendance_rounds(case, keys)
        assert results[-1] == code
    elif op == "login":
        nonce, point = bytes.fromhex(case["loginNonce"]), bytes.fromhex(case["clientPublic"])
        expect_error(code, lambda: attendance.server_login(case["userId"], nonce, point))
        client = attendance.ClientLogin(case["userId"], nonce)
        expect_error(code, lambda: client.finish(point))
    else:
        pytest.fail(f"attendance.json: unknown operation {op!r}")


def replay_totp(case: Case) -> None:
    assert "operation" not in case
    key, t, step = bytes.fromhex(case["key"]), case["timeSeconds"], case["step"]
    totp = attendance.Totp(key, case["algorithm"], case["digits"], step)
    code = totp.generate_at_seconds(t)
    assert code == case["code"]
    if t * 1000 < 2**64:
        assert totp.verify(code, t * 1000) == t // step
    if case["algorithm"] == "SHA256" and case["digits"] == 6 and len(key) == 32:
        assert attendance.Totp(key).generate_at_seconds(t) == case["code"]


def close(got: float, want: float) -> bool:
    """Spec §5/§6: display values agree to a relative 1e-12 (absolute when the recorded value is 0)."""
    if want == 0:
        return abs(got) <= 1e-12
    return abs((got - want) / want) <= 1e-12


def exact_certainty(rts: list[int]) -> int:
    """Spec §5 with its exact integer comparisons (Python integers are unbounded)."""
    n, s = len(rts), sum(rts)
    d = n * sum(x * x for x in rts) - s * s
    for c, a, b, certainty in ((500, 800, 3000, 95), (1000, 500, 5000, 70), (2000, 300, 8000, 50)):
        if d < c * c * n * n and a * n < s < b * n:
            return certainty
    return 20


def replay_scoring(case: Case) -> None:
    assert "operation" not in case
    sc = attendance.score(case["rtsMs"])
    assert close(sc.mean, case["mean"]), (sc.mean, case["mean"])
    assert close(sc.std, case["std"]), (sc.std, case["std"])
    assert (sc.certainty, sc.label, sc.status) == (case["certainty"], case["label"], case["status"])
    assert exact_certainty(case["rtsMs"]) == case["certainty"]


# --- handshake.json -------------------------------------------------------------------------
# Replayed byte for byte like the Rust tests: the recorded random values (clientNonce, the
# handshake nonce, e_s, kid, e_c, e_s', kid', the seal nonces) are fed to the core through the
# test build's scripted RNG (`_testing_script_next_rng`, cargo feature test-utils; RSA padding
# and store seals then come from the OS RNG). RSA-OAEP ciphertexts and PSS signatures are
# randomized, so they are checked by decrypting / verifying (server handshake, client finish).

_HS: dict[str, Any] = {}


def hs_keys() -> handshake.ServerKeys:
    if "keys" not in _HS:
        first = json.loads((VECTORS / "handshake.json").read_text())["cases"][0]
        _HS["keys"] = handshake.ServerKeys(
            bytes.fromhex(first["serverRsaPrivateKeyPkcs8"]),
            bytes.fromhex(first["serverEntropy"]),
            bytes.fromhex(first["storageSecret"]),
        )
    keys: handshake.ServerKeys = _HS["keys"]
    return keys


def hs_client_start(case: Case) -> tuple[handshake.HandshakeClient, dict[str, Any]]:
    primary = handshake.PrimaryKey.from_bytes(bytes.fromhex(case["clientPrimaryPrivate"]))
    client = handshake.HandshakeClient(case["deviceId"], primary, hs_keys().public_key_der())
    script(case["clientNonce"])
    return client, client.start()


def hs_server_handshake(case: Case) -> tuple[dict[str, Any], MemoryStore]:
    store = MemoryStore()
    at = case["handshakeAtMs"]
    request = sealwright.to_json(case["handshakeRequest"])
    names = handshake.handshake_store_keys(request)
    if "boundPrimaryPublic" in case:
        bound, effects = handshake.server_bind_device(
            hs_keys(), case["deviceId"], bytes.fromhex(case["boundPrimaryPublic"]), None
        )
        assert bound and store.apply(effects, at)
    records = [store.get(k, at) for k in names.as_list()]
    script(case["handshakeNonce"], case["serverEphemeralPrivate"], case["kid"])
    response, effects = handshake.server_handshake(hs_keys(), request, records, at)
    assert store.apply(effects, at)
    return sealwright.from_json(response), store


def hs_open(store: MemoryStore, request: Any, at: int) -> handshake.Opened | handshake.Retry:
    """The open step over the loaded records, its claim committed."""
    names = handshake.process_store_keys(request)
    outcome, effects = handshake.server_open(hs_keys(), request, [store.get(k, at) for k in names.as_list()], at)
    assert store.apply(effects, at)
    assert isinstance(outcome, (handshake.Opened, handshake.Retry))
    return outcome


def hs_server_messages(case: Case, store: MemoryStore, n: int) -> None:
    for m in case["messages"][:n]:
        at = m["atMs"]
        opened = hs_open(store, sealwright.to_json(m["request"]), at)
        assert isinstance(opened, handshake.Opened), case["name"]
        assert opened.plaintext == bytes.fromhex(m["requestPlaintext"])
        assert opened.request_id.hex() == m["requestId"]
        script(m["nextServerEphemeralPrivate"], m["nextKid"], m["responseEphNonce"], m["responseDataNonce"])
        response, effects = opened.respond(bytes.fromhex(m["responsePlaintext"]))
        assert sealwright.from_json(response) == m["response"], case["name"]
        assert store.apply(effects, at)


def hs_client_messages(case: Case, n: int) -> handshake.HandshakeClient:
    client, _ = hs_client_start(case)
    client.finish(case["handshakeResponse"])
    for m in case["messages"][:n]:
        script(m["clientEphemeralPrivate"], m["requestEphNonce"], m["requestDataNonce"])
        assert client.send(bytes.fromhex(m["requestPlaintext"])) == m["request"]
        assert client.receive(m["response"]) == bytes.fromhex(m["responsePlaintext"])
    return client


def replay_handshake(case: Case) -> None:
    assert case["serverEntropy"] == json.loads((VECTORS / "handshake.json").read_text())["cases"][0]["serverEntropy"]
    op = case.get("operation")
    if op is None:
        device_id = case["deviceId"]
        primary = handshake.PrimaryKey.from_bytes(bytes.fromhex(case["clientPrimaryPrivate"]))
        _, request = hs_client_start(case)
        for field in ("v", "deviceId", "clientNonce"):
            assert request[field] == case["handshakeRequest"][field]
        server_primary = handshake.server_primary_key(
            bytes.fromhex(case["serverEntropy"]), bytes.fromhex(case["handshakeNonce"])
        )
        assert server_primary.to_bytes().hex() == case["serverPrimaryPrivate"]
        # The server decrypts both our fresh OAEP request and the recorded one.
        response, store = hs_server_handshake(case)
        script(case["handshakeNonce"], case["serverEphemeralPrivate"], case["kid"])
        handshake.server_handshake(hs_keys(), request, [None, None], case["handshakeAtMs"])
        recorded = case["handshakeResponse"]
        for field in ("v", "publicKeyPrimary", "publicKeyEphemeral", "kid"):
            assert response[field] == recorded[field], field
        assert base64.b64decode(recorded["publicKeyPrimary"]) == server_primary.public_bytes
        e_s = bytes.fromhex(case["serverEphemeralPrivate"])
        assert base64.b64decode(recorded["publicKeyEphemeral"]) == handshake.x25519_public(e_s)
        assert len(store.data) == 4  # device, session, eph, last
        ss_p = handshake.primary_secret(primary, server_primary.public_bytes)
        assert ss_p.hex() == case["primarySecret"]
        assert handshake.primary_secret(server_primary, primary.public_bytes) == ss_p
        assert handshake.wrap_key(device_id, ss_p).hex() == case["wrapKey"]
        # Our fresh signature verifies too (client finish).
        client, _ = hs_client_start(case)
        client.finish(response)
        assert client.state == "established" and client.kid == case["kid"]
        for m in case["messages"]:
            e_c = bytes.fromhex(m["clientEphemeralPrivate"])
            ss_e = handshake.x25519(e_c, handshake.x25519_public(e_s))
            assert ss_e == handshake.x25519(e_s, handshake.x25519_public(e_c))
            assert ss_e.hex() == m["ephemeralSecret"]
            assert handshake.message_key(device_id, ss_p, ss_e).hex() == m["messageKey"]
            assert handshake.request_id(m["request"]).hex() == m["requestId"]
            assert m["response"]["kid"] == m["nextKid"]
            e_s = bytes.fromhex(m["nextServerEphemeralPrivate"])
        n = len(case["messages"])
        assert n >= 3
        hs_server_messages(case, store, n)
        client = hs_client_messages(case, n)
        assert client.kid == case["messages"][-1]["nextKid"]
        return
    code = case["expectedError"]
    if op == "serverHandshake":
        expect_error(code, lambda: hs_server_handshake(case))
    elif op == "clientHandshake":
        client, _ = hs_client_start(case)
        expect_error(code, lambda: client.finish(sealwright.to_json(case["handshakeResponse"])))
        assert client.state == "awaiting_handshake"  # a rejected response changes nothing
    elif op == "serverProcess":
        _, store = hs_server_handshake(case)
        n = len(case["messages"]) - 1
        hs_server_messages(case, store, n)
        last = case["messages"][n]
        if "replayOf" in last:
            assert last["replayOf"] < n
            assert last["request"]["kid"] == case["messages"][last["replayOf"]]["request"]["kid"]
        expect_error(code, lambda: hs_open(store, sealwright.to_json(last["request"]), last["atMs"]))
    elif op == "clientProcess":
        n = len(case["messages"]) - 1
        client = hs_client_messages(case, n)
        m = case["messages"][n]
        script(m["clientEphemeralPrivate"], m["requestEphNonce"], m["requestDataNonce"])
        assert client.send(bytes.fromhex(m["requestPlaintext"])) == m["request"]
        expect_error(code, lambda: client.receive(sealwright.to_json(m["response"])))
        assert client.state == "awaiting_response"
    else:
        pytest.fail(f"handshake.json: unknown operation {op!r}")


REPLAYERS: dict[str, Callable[[Case], None]] = {
    "handshake": replay_handshake,
    "attendance": replay_attendance,
    "totp": replay_totp,
    "scoring": replay_scoring,
    "vault": replay_vault,
    "relay": replay_relay,
    "shares": replay_shares,
}


# The spec version each vector file follows (§6); files not converted to version 2 say 1.
SPEC_VERSIONS: dict[str, int] = {
    "relay": 2,
    "handshake": 2,
    "shares": 2,
    "vault": 2,
    "attendance": 2,
    "totp": 2,
    "scoring": 2,
}


def all_cases() -> list[Any]:
    params: list[Any] = []
    for path in sorted(VECTORS.glob("*.json")):
        data = json.loads(path.read_text())
        assert data["protocol"] == path.stem
        assert data["specVersion"] == SPEC_VERSIONS.get(path.stem), path.name
        assert data["cases"], f"{path.name} has no cases"
        for i, case in enumerate(data["cases"]):
            params.append(pytest.param(path.stem, case, id=f"{path.stem}[{i}] {case['name']}"))
    return params


CASES = all_cases()


def test_every_vector_file_is_replayed() -> None:
    files = {p.stem for p in VECTORS.glob("*.json")}
    assert files, "no test-vectors/*.json found"
    assert files <= set(REPLAYERS), f"no Python replayer for {sorted(files - set(REPLAYERS))}"
    assert files <= set(SPEC_VERSIONS), f"no spec version for {sorted(files - set(SPEC_VERSIONS))}"


@pytest.mark.parametrize("stem,case", CASES)
def test_vector_case(stem: str, case: Case) -> None:
    replayer = REPLAYERS.get(stem)
    if replayer is None:
        pytest.fail(f"no Python replayer for test-vectors/{stem}.json")
    replayer(case)


def test_vector_dir_exists() -> None:
    assert isinstance(VECTORS, pathlib.Path) and VECTORS.is_dir()
