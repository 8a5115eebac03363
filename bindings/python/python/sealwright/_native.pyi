# Type stubs of the native extension module `sealwright._native`.
# Every public class, function, method and property has a docstring (what an IDE shows on
# hover), and every class and function cites its spec section (tests/test_introspection.py).
# The protocol functions are typed here under their native names (`vault_unlock`); the
# package modules re-export them under their public names (`sealwright.vault.unlock`), which
# are also their `__name__`, `__qualname__` and `__module__` at run time.
from typing import Any, Callable, Container, Iterator, Mapping, Optional, Sequence, Union

ERROR_CODES: list[tuple[str, str, str]]
# True only in test builds (cargo feature `test-utils`). Every name marked "test-utils builds
# only" below, and every function in the last section, exists only when it is True.
TEST_UTILS: bool

class SealwrightError(Exception):
    """Base class of every sealwright error; `.code` is the stable code of spec §0.1."""
    code: str

class InvalidInput(SealwrightError):
    """`INVALID_INPUT`: malformed identifier, JSON, base64, length or field (spec §0.1)."""
class UnsupportedVersion(SealwrightError):
    """`UNSUPPORTED_VERSION`: unknown version field or format byte (spec §0.1)."""
class InvalidKey(SealwrightError):
    """`INVALID_KEY`: public key not on its curve, the identity, or wrongly encoded (spec §0.1)."""
class LowOrderPoint(SealwrightError):
    """`LOW_ORDER_POINT`: X25519 exchange gave the all-zero result (spec §0.1)."""
class DecryptionFailed(SealwrightError):
    """`DECRYPTION_FAILED`: Invalid password or corrupted data (spec §0.1)."""
class BadSignature(SealwrightError):
    """`BAD_SIGNATURE`: signature does not verify or is malformed (spec §0.1)."""
class KeyRejected(SealwrightError):
    """`KEY_REJECTED`: RSA key outside the allowed size, exponent or encoding (spec §0.1)."""
class ValueTooLarge(SealwrightError):
    """`VALUE_TOO_LARGE`: relay value over 1 MiB (spec §0.1)."""
class InvalidState(SealwrightError):
    """`INVALID_STATE`: operation not allowed in the current state (spec §0.1)."""
class Conflict(SealwrightError):
    """`CONFLICT`: a conditional effect did not hold: another writer came first (spec §0.1)."""
class InProgress(SealwrightError):
    """`IN_PROGRESS`: the same request is being processed; retry it unchanged later (spec §0.1)."""
class UnknownRecipient(SealwrightError):
    """`UNKNOWN_RECIPIENT`: JWS kid names no registered recipient (spec §0.1)."""
class UnknownRelayKey(SealwrightError):
    """`UNKNOWN_RELAY_KEY`: sealed value names no known relay key (spec §0.1)."""
class SealedInvalid(SealwrightError):
    """`SEALED_INVALID`: sealed value is not a valid relay JWE (spec §0.1)."""
class AudienceMismatch(SealwrightError):
    """`AUDIENCE_MISMATCH`: sealed value is bound to another recipient (spec §0.1)."""
class Stale(SealwrightError):
    """`STALE`: request time is outside the allowed window (spec §0.1)."""
class Replay(SealwrightError):
    """`REPLAY`: request id was already accepted (spec §0.1)."""
class SessionExpired(SealwrightError):
    """`SESSION_EXPIRED`: handshake session missing or expired (spec §0.1)."""
class UnknownKid(SealwrightError):
    """`UNKNOWN_KID`: unknown key id for this device (spec §0.1)."""
class KidRotated(SealwrightError):
    """`KID_ROTATED`: key id was already used by another request (spec §0.1)."""
class DeviceMismatch(SealwrightError):
    """`DEVICE_MISMATCH`: device is bound to another primary key (spec §0.1)."""
class InvalidShare(SealwrightError):
    """`INVALID_SHARE`: invalid share (spec §0.1)."""
class GenerationMismatch(SealwrightError):
    """`GENERATION_MISMATCH`: shares are of different generations (spec §0.1)."""
class ShareMismatch(SealwrightError):
    """`SHARE_MISMATCH`: shares do not give the wallet's address (spec §0.1)."""
class WeakKdf(SealwrightError):
    """`WEAK_KDF`: KDF parameters below the enforced minimum (spec §0.1)."""
class InvalidVerifier(SealwrightError):
    """`INVALID_VERIFIER`: malformed master password verifier (spec §0.1)."""
class NotEnrolled(SealwrightError):
    """`NOT_ENROLLED`: no enrollment record for this user (spec §0.1)."""
class SessionInvalid(SealwrightError):
    """`SESSION_INVALID`: attendance session invalid (spec §0.1)."""
class QrInvalid(SealwrightError):
    """`QR_INVALID`: QR payload invalid (spec §0.1)."""
class QrExpired(SealwrightError):
    """`QR_EXPIRED`: QR payload expired or already used (spec §0.1)."""
class RtInvalid(SealwrightError):
    """`RT_INVALID`: round trip outside the allowed window (spec §0.1)."""
class SecretInvalid(SealwrightError):
    """`SECRET_INVALID`: round secret does not match (spec §0.1)."""
class MaxAttempts(SealwrightError):
    """`MAX_ATTEMPTS`: maximum attempts reached (spec §0.1)."""

class Effect:
    """One effect of a server step (spec §0.2); a step's effects commit atomically."""
    def __init__(
        self,
        op: str,
        key: str,
        value: Optional[bytes] = None,
        ttl_seconds: Optional[int] = None,
        expected: Optional[bytes] = None,
        store: str = "main",
    ) -> None: ...
    @property
    def op(self) -> str:
        """put, put_if_absent, put_if_equal, delete_if_equal, require_equal, expire or delete."""
    @property
    def key(self) -> str:
        """The store key."""
    @property
    def value(self) -> Optional[bytes]:
        """The value to store (the puts only; sealed)."""
    @property
    def expected(self) -> Optional[bytes]:
        """The bytes the key must hold (`put_if_equal`, `delete_if_equal`, `require_equal`)."""
    @property
    def ttl_seconds(self) -> Optional[int]:
        """Time to live in seconds (`None`: no expiry for the puts; always set for `expire`)."""
    @property
    def store(self) -> str:
        """"main", or "cold" for the shares protocol's cold store."""
    @property
    def conditional(self) -> bool:
        """Whether the effect carries a condition."""

class Step:
    """A server step's output and the effects to commit as one transaction (spec §0.2); unpacks
    as ``output, effects = step``."""
    @property
    def output(self) -> Any:
        """What the step produced."""
    @property
    def effects(self) -> list[Effect]:
        """The effects, in order, to commit atomically (`sealwright.apply_effects`)."""
    def __iter__(self) -> Iterator[Any]: ...

# --- relay (spec §1) ---

class RecipientPublicKey:
    """A registered recipient public key (RSA, 3072 to 8192 bits), named by its `rid` (spec §1)."""
    @staticmethod
    def from_jwk(jwk: Union[dict[str, Any], str, bytes]) -> RecipientPublicKey:
        """Validates a recipient JWK (a `dict` or its JSON text), spec §1 step 1."""
    @property
    def rid(self) -> str:
        """The RFC 7638 SHA-256 thumbprint (b64url)."""
    def to_jwk(self) -> dict[str, Any]:
        """The public JWK as a `dict`."""

class Recipient:
    """A relay recipient (spec §1): an RSA private key held in Rust, never shown by `repr`."""
    @staticmethod
    def generate(bits: int = 4096) -> Recipient:
        """Generates a recipient key of `bits` bits (3072 to 8192, default 4096)."""
    @staticmethod
    def from_pkcs8_der(der: bytes) -> Recipient:
        """A recipient from its PKCS#8 DER private key."""
    def to_pkcs8_der(self) -> bytes:
        """The private key as PKCS#8 DER (a secret: for the recipient's own storage)."""
    def jwk(self) -> dict[str, Any]:
        """The public JWK to register, as a `dict`."""
    def public_key(self) -> RecipientPublicKey:
        """The registered public key."""
    @property
    def rid(self) -> str:
        """The key's `rid`."""
    def request(self, sealed: str, now_ms: Optional[int] = None) -> DecryptionRequest:
        """The decryption request for `sealed` at `now_ms` (default now): send its `jws`, keep the
        object to open the response with."""
    def open_response(
        self, response: str, request: DecryptionRequest, pinned: PinnedKeys
    ) -> bytes:
        """Opens the response to `request` (spec §1 step 5) and returns the value: the inner ES256
        JWS must verify under a `pinned` key and carry the request's `jti`."""
    def open_response_for_jti(self, response: str, jti: str, pinned: PinnedKeys) -> bytes:
        """`open_response` for a recipient that kept only the request's `jti`."""

class DecryptionRequest:
    """A decryption request the recipient made: send `jws`; keep the object (or its `jti`) to open
    the response, which must carry the same `jti` (spec §1)."""
    @property
    def jws(self) -> str:
        """The PS256 JWS to send."""
    @property
    def jti(self) -> str:
        """The request's `jti`."""

class RelaySigningKey:
    """The relay's response signing key: a P-256 scalar (ES256) named `skid`; it stays in Rust
    (spec §1)."""
    def __init__(self, skid: str, scalar: bytes) -> None: ...
    @staticmethod
    def generate(skid: str) -> RelaySigningKey:
        """A fresh random signing key."""
    @property
    def skid(self) -> str:
        """The key id that responses name."""
    def scalar_bytes(self) -> bytes:
        """The private scalar (to store it; keep the copy short-lived)."""
    def public_jwk(self) -> dict[str, Any]:
        """The public JWK `{"kty":"EC","crv":"P-256","x":..,"y":..}` for recipients to pin."""
    def verifying_key(self) -> RelayVerifyingKey:
        """The public key with its `skid`, as a recipient pins it."""

class RelayVerifyingKey:
    """A pinned relay signing key: its `skid` and P-256 public JWK (spec §1)."""
    def __init__(self, skid: str, jwk: Union[dict[str, Any], str, bytes]) -> None: ...
    @property
    def skid(self) -> str:
        """The key id."""
    def to_jwk(self) -> dict[str, Any]:
        """The public JWK as a `dict`."""

PinnedKeys = Union[
    RelayVerifyingKey,
    Sequence[RelayVerifyingKey],
    Mapping[str, Union[dict[str, Any], str, bytes]],
]

class RelayKey:
    """A relay key `RK` (32 bytes, AES-256-GCM) named `rkid`; the key bytes stay in Rust (spec §1)."""
    def __init__(self, rkid: str, key: bytes) -> None: ...
    @staticmethod
    def generate(rkid: str) -> RelayKey:
        """A fresh random relay key."""
    @property
    def rkid(self) -> str:
        """The key id."""
    def seal(self, value: bytes, aud: Optional[str] = None) -> str:
        """Seals `value` (1 byte to 1 MiB) as a JWE string, optionally bound to recipient `aud`."""
    def secret_bytes(self) -> bytes:  # test-utils builds only
        """The secret key bytes (test builds only, feature `test-utils`: a shipped wheel never
        hands out the raw key; create it with `RelayKey(rkid, key)` from your key store)."""
    def seal_with_iv(self, value: bytes, aud: Optional[str], iv: bytes) -> str:  # test-utils builds only
        """`seal` with a given 12-byte IV (vector replay only; never reuse an IV). Test builds
        only (feature `test-utils`)."""

class Accepted:
    """A decryption request that passed every check: send `response`, remember `jti` for 660 s
    (apply `effect`, "set if absent", in the same transaction as the response is released) (spec
    §1)."""
    @property
    def response(self) -> str:
        """The response JWE for the recipient."""
    @property
    def jti(self) -> str:
        """The request's `jti`."""
    @property
    def rid(self) -> str:
        """The recipient's `rid`."""
    @property
    def effect(self) -> Effect:
        """`sw:v1:relay:jti:<jti>` = rid for 660 s."""

RecipientLookup = Union[
    Mapping[str, Union[RecipientPublicKey, dict[str, Any], str]],
    Callable[[str], Union[RecipientPublicKey, dict[str, Any], str, None]],
]
SeenJtis = Union[Container[str], Callable[[str], bool]]

class RelayServer:
    """The server's relay keys (rotation: the current key seals, every key opens) and the key that
    signs every response (spec §1)."""
    def __init__(self, current: RelayKey, signing_key: RelaySigningKey) -> None: ...
    @property
    def signing_skid(self) -> str:
        """The `skid` of the response signing key."""
    def signing_jwk(self) -> dict[str, Any]:
        """The public JWK of the response signing key, for recipients to pin (with its `skid`)."""
    def set_signing_key(self, key: RelaySigningKey) -> RelaySigningKey:
        """Makes `key` the response signing key and returns the previous one (recipients must pin
        the new key first)."""
    def add_previous(self, key: RelayKey) -> None:
        """Adds an older key that still opens values sealed under it."""
    def rotate(self, key: RelayKey) -> None:
        """Makes `key` the current sealing key; the old one keeps opening."""
    def retire(self, rkid: str) -> None:
        """Drops the (non-current) key `rkid`."""
    @property
    def current_rkid(self) -> str:
        """The current key's id."""
    def seal(self, value: bytes, aud: Optional[str] = None) -> str:
        """Seals `value` under the current key."""
    def decrypt_request(
        self,
        request: str,
        recipients: RecipientLookup,
        seen: SeenJtis,
        now_ms: Optional[int] = None,
    ) -> Accepted:
        """Handles a decryption request (spec §1 steps 4 and 5)."""

class StoreSealer:
    """The server's store sealer (spec §2.3): `K_store` derived from the 32-byte storage secret,
    held in Rust. Every stored value of the handshake, shares and attendance servers is sealed
    with it, bound to its store key."""
    def __init__(self, storage_secret: bytes) -> None: ...
    def seal(self, key: str, value: bytes) -> bytes:
        """`sealed(K_store, value, "sealwright/v1/store" || lp(key))`."""
    def open(self, key: str, sealed: bytes) -> bytes:  # test-utils builds only
        """Opens a value read from `key` (`DECRYPTION_FAILED` if it was sealed for another key).
        Test builds only (feature `test-utils`): the protocol functions open their own stored
        values, so a shipped wheel never hands out a stored plaintext."""

# --- shares (spec §3) ---

class WalletKey:
    """An Ethereum (secp256k1) wallet key `d`, held in Rust and zeroized when collected (spec §3)."""
    @staticmethod
    def generate() -> WalletKey:
        """A new random key (OS RNG)."""
    @staticmethod
    def from_bytes(private_key: bytes) -> WalletKey:
        """Imports a 32-byte big-endian private key (`INVALID_INPUT` if 0 or `>= n`)."""
    @property
    def address(self) -> str:
        """The EIP-55 checksummed address."""
    def sign_message(self, message: str) -> str:
        """EIP-191 `personal_sign` of `message` (its UTF-8 bytes): `"0x" || hex(r || s || v)`."""
    def export_private_key_hex(self) -> str:
        """The private key as 64 lowercase hex digits (a secret: only for its owner). The core's
        zeroizing string is copied straight into the Python `str`, with no other Rust copy."""

class SharePlaintext:
    """A decoded share plaintext `(x, generation, y)`; `y` is secret and stays in Rust (spec §3)."""
    def __init__(self, x: int, generation: int, y: bytes) -> None: ...
    @staticmethod
    def decode(plaintext: bytes) -> SharePlaintext:
        """Strict decoding of the 39-byte plaintext (spec §3)."""
    @property
    def x(self) -> int:
        """The share index (1 = user, 2 = hot, 3 = cold)."""
    @property
    def generation(self) -> int:
        """The generation this share belongs to."""
    def to_bytes(self) -> bytes:  # test-utils builds only
        """The 39-byte plaintext `0x01 || 0x02 || x || u32be(generation) || y` (a secret; test
        builds only, feature `test-utils`)."""

class SplitPointer:
    """The pointer ``{generation, split_id}`` at ``current_key(address)`` (hot store): the one
    split whose shares are combined (spec §3)."""
    @property
    def generation(self) -> int:
        """The split's generation (0 at creation, +1 per recovery)."""
    @property
    def split_id(self) -> bytes:
        """The split's 16 random bytes."""
    @staticmethod
    def open(sealer: StoreSealer, key: str, value: bytes) -> SplitPointer:
        """Opens a pointer value read from `key` (`DECRYPTION_FAILED` if sealed for another key)."""

class Created:
    """A new wallet (the output of `create`): address, split and the three envelopes (spec §3)."""
    @property
    def address(self) -> str:
        """The wallet address (EIP-55)."""
    @property
    def split(self) -> SplitPointer:
        """The split of generation 0."""
    @property
    def user_envelope(self) -> str:
        """Envelope of share 1: give it to the user once the effects are committed."""
    @property
    def hot_envelope(self) -> str:
        """Envelope of share 2 (hot store; also in the effects)."""
    @property
    def cold_envelope(self) -> str:
        """Envelope of share 3 (cold store; also in the effects)."""

class LoadedSplit:
    """A wallet's split pointer as loaded from the hot store; every server operation starts
    here (spec §3: only the split it names is ever combined)."""
    @staticmethod
    def open(sealer: StoreSealer, address: str, value: Optional[bytes]) -> LoadedSplit:
        """Opens the value loaded from `current_key(address)` (`None`: no such wallet,
        `INVALID_INPUT`)."""
    @property
    def address(self) -> str:
        """The wallet address (EIP-55)."""
    @property
    def pointer(self) -> SplitPointer:
        """The pointer `{generation, splitId}`."""
    @property
    def value(self) -> bytes:
        """The pointer's stored bytes, as loaded (the move's condition)."""
    @property
    def hot_key(self) -> str:
        """Store key of share 2 of the named split (hot store)."""
    @property
    def cold_key(self) -> str:
        """Store key of share 3 of the named split (cold store)."""
    def open_hot(self, sealer: StoreSealer, value: Optional[bytes]) -> str:
        """Opens the value loaded from `hot_key` to its envelope."""
    def open_cold(self, sealer: StoreSealer, value: Optional[bytes]) -> str:
        """Opens the value loaded from `cold_key` to its envelope."""
    def sign(
        self,
        password: str,
        user_envelope: str,
        sealer: StoreSealer,
        hot_value: Optional[bytes],
        message: str,
    ) -> str:
        """Signs `message` with the user's envelope and share 2 of this split (`hot_value`, loaded
        from `hot_key`) (spec §3 "sign")."""
    def stage(
        self,
        password: str,
        sealer: StoreSealer,
        hot_value: Optional[bytes],
        cold_value: Optional[bytes],
    ) -> Step:
        """Recovery step 1, stage (spec §3): output ``Staged``, effects put the new split's
        share 2 (hot) and share 3 (cold)."""

class Staged:
    """Recovery after stage: commit the stage effects, then `move_pointer()` once (spec §3)."""
    @property
    def address(self) -> str:
        """The wallet address (EIP-55)."""
    @property
    def old_split(self) -> SplitPointer:
        """The split the pointer named when loaded."""
    @property
    def new_split(self) -> SplitPointer:
        """The new split."""
    def move_pointer(self) -> Step:
        """Recovery step 2, move (spec §3): output ``MovePending``, one ``put_if_equal`` of the
        pointer (hot store). Commit it exactly once (``apply_effects``, never ``run_step``); a
        second call raises ``InvalidState``."""

class MovePending:
    """Recovery after the move's effect was committed (once): report the outcome with `won()` or
    `lost()` (spec §3)."""
    def moved_by_us(self, pointer_now: Optional[bytes]) -> bool:
        """Whether `pointer_now` (the pointer value read after the move) is this recovery's new
        split: decides a move whose commit outcome is unknown."""
    def won(self) -> Step:
        """Recovery step 3 for the winner (the move committed): output ``Recovered`` (the new
        user envelope exists only here), effects delete the old split's shares 2 and 3."""
    def lost(self) -> Step:
        """Recovery step 3 for the loser (the move's condition failed): output the ``Conflict``
        to raise, effects delete this recovery's staged shares."""

class Recovered:
    """A finished recovery (the pointer moved to this split): the new envelopes (spec §3)."""
    @property
    def address(self) -> str:
        """The wallet address (EIP-55)."""
    @property
    def split(self) -> SplitPointer:
        """The split the pointer now names."""
    @property
    def generation(self) -> int:
        """The new generation."""
    @property
    def user_envelope(self) -> str:
        """New envelope of share 1: give it to the user."""
    @property
    def hot_envelope(self) -> str:
        """New envelope of share 2 (stored by the stage step)."""
    @property
    def cold_envelope(self) -> str:
        """New envelope of share 3 (stored by the stage step)."""

class OpenedWallet:
    """A wallet opened from two shares: the key (in Rust) and the shares' generation (spec §3)."""
    @property
    def key(self) -> WalletKey:
        """The wallet key."""
    @property
    def generation(self) -> int:
        """The generation of the two shares."""

def shares_create(password: str, sealer: StoreSealer) -> Step:
    """Creates a wallet (spec §3 "create"): a `Step` whose output is a `Created` and whose effects
    put share 2 (hot), share 3 (cold) and the pointer (hot, last). `INVALID_INPUT` for an empty
    password."""
def shares_open_wallet(password: str, first: str, second: str, address: str) -> OpenedWallet:
    """Opens two envelopes and reconstructs the key, with the five checks of spec §3 in order."""
def shares_sign(
    password: str, user_envelope: str, hot_envelope: str, address: str, message: str
) -> str:
    """Signs `message` with share 1 (user) and share 2 (hot) of one generation (spec §3 "sign")."""
def shares_open_envelope(password: str, envelope: str) -> SharePlaintext:
    """Opens one envelope (`DECRYPTION_FAILED` on any failure) and decodes its share plaintext
    (spec §3)."""
# `salt` and `iv`: test-utils builds only (a shipped wheel takes `(password, share)`).
def shares_seal_envelope(
    password: str, share: SharePlaintext, salt: Optional[bytes] = None, iv: Optional[bytes] = None
) -> str:
    """Seals a share under `password` with a fresh salt and IV, or the given ones (vector replay:
    never reuse a salt and IV). The `salt` and `iv` parameters exist in test builds only
    (feature `test-utils`) (spec §3)."""
def shares_recover_signer(message: str, signature: str) -> str:
    """The address that made an EIP-191 signature (`BAD_SIGNATURE` otherwise) (spec §3)."""
def shares_personal_message_hash(message: str) -> bytes:
    """The EIP-191 `personal_sign` hash of `message` (its UTF-8 bytes) (spec §3)."""
def shares_checksum_address(address: str) -> str:
    """The EIP-55 checksummed form of an address (`INVALID_INPUT` if malformed) (spec §3)."""
def shares_wallet_tag(address: str) -> str:
    """`tag(address)` over `"0x"` and 40 lowercase hex digits (spec §3)."""
def shares_hot_key(address: str, generation: int, split_id: bytes) -> str:
    """Store key of share 2 of the split `(generation, split_id)` (hot store) (spec §3)."""
def shares_cold_key(address: str, generation: int, split_id: bytes) -> str:
    """Store key of share 3 of the split `(generation, split_id)` (cold store) (spec §3)."""
def shares_current_key(address: str) -> str:
    """Store key of the split pointer (hot store) (spec §3)."""
def shares_open_stored_share(sealer: StoreSealer, key: str, value: bytes) -> str:
    """Opens a stored share value read from `key` to its envelope text (spec §3)."""

# --- vault (spec §4) ---

KdfLike = Union[dict[str, Any], str, bytes]
RecordLike = Union[dict[str, Any], str, bytes]

class VaultServerRecord:
    """What the server stores for a v2 vault (nothing secret) (spec §4.2)."""
    @property
    def user_id(self) -> str:
        """The user id."""
    @property
    def salt(self) -> bytes:
        """The 16-byte salt `s`."""
    @property
    def kdf(self) -> dict[str, Any]:
        """The KDF parameters as a `dict`."""
    @property
    def wrapped_vault_key(self) -> str:
        """`"sw2k." || b64url(sealed(WK, VK, ...))`."""
    @property
    def auth_verifier(self) -> bytes:
        """`SHA-256(AH)`."""
    def verify_auth_hash(self, presented_auth_hash: bytes) -> bool:
        """`verify_auth_hash(self.auth_verifier, presented)`."""

class Enrollment:
    """The result of `create_vault` or a password change: the server part and `AH` (a secret the
    client sends to the server at enrollment and login; `repr` never shows it) (spec §4.2)."""
    @property
    def server(self) -> VaultServerRecord:
        """What the server stores."""
    @property
    def auth_hash(self) -> bytes:
        """`AH`, 32 bytes."""

class Migrated:
    """The outcome of a migration: the v2 `record` to store, and whether it `changed` (spec
    §4.1)."""
    @property
    def record(self) -> str:
        """The record as v2 JSON text, to store under the same record id."""
    @property
    def changed(self) -> bool:
        """`False` when the stored record already was v2 (then `record` is it, unchanged)."""

class LegacyKey:
    """A legacy record key (PBKDF2-HMAC-SHA256, 100,000 iterations, 32 bytes), held in Rust
    (spec §4.1)."""
    @staticmethod
    def from_server_secret(master_key: str, user_id: str) -> LegacyKey:
        """`PBKDF2(MASTER_KEY, userId, 100000, 32)`: the key of records without master password."""
    @staticmethod
    def from_master_password(master_password: str, user_id: str) -> LegacyKey:
        """`PBKDF2(masterPassword, userId, 100000, 32)`: the key of records with master password."""
    def secret_bytes(self) -> bytes:  # test-utils builds only
        """The key bytes (a secret: interoperability checks only; test builds only, feature
        `test-utils`)."""
    def open(self, record: RecordLike) -> bytes:
        """Opens a legacy record (`dict` or JSON text)."""

class UnlockedVault:
    """An unlocked v2 vault: the vault key `VK` lives in Rust (zeroized on `lock()` and when
    collected). After `lock()` every call raises `InvalidState` (spec §4.2)."""
    @property
    def user_id(self) -> str:
        """The user id."""
    @property
    def is_unlocked(self) -> bool:
        """`True` until `lock()`."""
    def lock(self) -> None:
        """Forgets the vault key (zeroized now); later calls raise `InvalidState`."""
    def encrypt_record(self, record_id: str, plaintext: bytes) -> str:
        """Encrypts a record: `"sw2." || b64url(sealed(VK, plaintext, AAD(userId, recordId)))`."""
    def decrypt_record(self, record_id: str, record: str) -> bytes:
        """Decrypts a record stored under `record_id`."""
    def change_master_password(
        self, new_master_password: str, kdf: Optional[KdfLike] = None
    ) -> Enrollment:
        """New master password (and KDF, default Argon2id m=64 MiB t=3 p=4): new salt, `MK'`,
        `AH'`, `WK'`, `VK` re-wrapped; records are untouched."""
    def migrate_record(self, legacy_key: LegacyKey, record_id: str, stored: RecordLike) -> Migrated:
        """Migrates one stored record (legacy object or v2 text) to v2 under `record_id`."""
    def pickle(self, pickle_key: bytes) -> str:
        """The unlocked state as an encrypted pickle under a caller's 32-byte key (spec §2.3)."""
    @staticmethod
    def unpickle(pickle_key: bytes, pickle: str) -> UnlockedVault:
        """Restores a vault from `pickle`."""
    def vault_key(self) -> bytes:  # test-utils builds only
        """The vault key `VK` (a secret: interoperability checks only; test builds only, feature
        `test-utils`)."""

class VaultLogin:
    """A client's login keys (spec §4.2) from one KDF run: `auth_hash` (`AH`) to send to the
    server, and `WK`, held in Rust, to unlock the wrapped vault key the server returns."""
    @property
    def auth_hash(self) -> bytes:
        """`AH`, what the client sends to log in."""
    def unlock(self, user_id: str, wrapped_vault_key: str) -> UnlockedVault:
        """Unwraps the vault key with the held `WK` (no KDF run)."""

class PasswordVerifier:
    """A master password verifier (`$pbkdf2-sha256$i=..,l=32$salt$hash`); public data (spec
    §4.1)."""
    @staticmethod
    def create(password: str, iterations: int = 600000) -> PasswordVerifier:
        """A new verifier with a fresh 16-byte salt (100,000 to 10,000,000 iterations)."""
    @staticmethod
    def parse(phc: str) -> PasswordVerifier:
        """Parses a PHC string (`INVALID_VERIFIER` for every defect)."""
    def to_phc(self) -> str:
        """The PHC string."""
    @property
    def iterations(self) -> int:
        """PBKDF2 iterations."""
    @property
    def salt(self) -> bytes:
        """The salt."""
    def verify(self, password: str) -> bool:
        """Whether `password` matches (constant-time comparison)."""

def vault_parse_kdf(params: KdfLike, check: bool = True) -> dict[str, Any]:
    """Parses KDF parameters (spec §4.2) and returns their canonical `dict`; `check=True` (the
    default) also enforces the limits (`WEAK_KDF` below the minimums, `INVALID_INPUT` above the
    maximums)."""
def vault_auth_verifier(auth_hash: bytes) -> bytes:
    """The server's stored verifier `SHA-256(AH)` (spec §4.2)."""
def vault_verify_auth_hash(stored_verifier: bytes, presented_auth_hash: bytes) -> bool:
    """Server side of login: `SHA-256(presented) == stored` in constant time (spec §4.2)."""
def vault_create_vault(
    user_id: str, master_password: str, kdf: Optional[KdfLike] = None
) -> tuple[Enrollment, UnlockedVault]:
    """Creates a v2 vault (spec §4.2): returns `(Enrollment, UnlockedVault)`."""
def vault_unlock(
    user_id: str, master_password: str, salt: bytes, kdf: KdfLike, wrapped_vault_key: str
) -> UnlockedVault:
    """Unlocks a v2 vault from the server's public parameters (KDF limits checked first) (spec
    §4.2)."""
def vault_unlock_with_wrap_key(user_id: str, wrap_key: bytes, wrapped_vault_key: str) -> UnlockedVault:
    """Unlocks with a stored wrap key `WK` (no KDF run) (spec §4.2)."""
def vault_login(master_password: str, salt: bytes, kdf: KdfLike) -> VaultLogin:
    """Login (spec §4.2): derives `AH` and `WK` from the master password and the server's public
    `salt` and `kdf` (limits checked before the KDF runs, which releases the GIL)."""
def vault_parse_legacy_record(record: RecordLike) -> dict[str, Any]:
    """Parses a legacy record strictly and returns its canonical `dict` (spec §4.1)."""
def vault_record_format(stored: RecordLike) -> str:
    """`"v2"` or `"legacy"`, told from the stored record's shape (`INVALID_INPUT` otherwise)
    (spec §4.1, §4.2)."""
def vault_verify_phc(phc: str, password: str) -> bool:
    """Parses `phc` (`INVALID_VERIFIER`) and verifies `password` (spec §4.1)."""

# --- attendance (spec §5) ---

class Config:
    """The configurable values of spec §5 (defaults as in the spec)."""
    def __init__(
        self,
        rounds: int = 3,
        payload_ttl_ms: int = 120000,
        frame_ms: int = 500,
        rt_min_ms: int = 500,
        rt_max_ms: int = 15000,
        max_attempts: int = 3,
        max_displays: int = 10,
        challenge_ttl_seconds: int = 300,
        session_key_ttl_seconds: int = 7200,
    ) -> None: ...
    @property
    def rounds(self) -> int:
        """Rounds `N` (numbered 1 to N)."""
    @property
    def payload_ttl_ms(self) -> int:
        """QR payload TTL in ms."""
    @property
    def frame_ms(self) -> int:
        """Projector frame in ms."""
    @property
    def rt_min_ms(self) -> int:
        """An RT must be greater than this (ms)."""
    @property
    def rt_max_ms(self) -> int:
        """An RT must be less than this (ms)."""
    @property
    def max_attempts(self) -> int:
        """`MAX_ATTEMPTS`: wrong answers allowed per round."""
    @property
    def max_displays(self) -> int:
        """`MAX_DISPLAYS`: frames a payload is shown before it counts as not captured."""

class SessionKeys:
    """A student's session keys (`session_key`, `K_qr`, `K_resp`, `K_totp_u`), held in Rust (spec
    §5)."""
    @staticmethod
    def from_session_key(user_id: str, session_key: bytes) -> SessionKeys:
        """The keys derived from a known `session_key`."""
    @property
    def user_id(self) -> str:
        """The student."""
    def session_key(self) -> bytes:  # test-utils builds only
        """`session_key` (a secret: interoperability checks only; test builds only, feature
        `test-utils`, like the three keys below)."""
    def qr_key(self) -> bytes:  # test-utils builds only
        """`K_qr` (a secret)."""
    def response_key(self) -> bytes:  # test-utils builds only
        """`K_resp` (a secret)."""
    def totp_u_key(self) -> bytes:  # test-utils builds only
        """`K_totp_u` (a secret)."""
    @staticmethod
    def open_stored(sealer: StoreSealer, user_id: str, sealed: bytes) -> SessionKeys:
        """Opens a stored session key read from `sw:v1:att:tag(userId):skey`."""

class ClientLogin:
    """The client side of login (spec §5 steps 2 and 4): `start` draws `(c, C)`; `finish(S)` gives
    the session keys once (then `InvalidState`)."""
    def __init__(self, user_id: str, login_nonce: bytes) -> None: ...
    @property
    def client_public(self) -> bytes:
        """`C`, sent with the assertion."""
    def challenge(self) -> bytes:
        """The WebAuthn challenge for the authenticator."""
    def finish(self, server_public: bytes) -> SessionKeys:
        """Derives the session keys from the server's `S` (`LOW_ORDER_POINT` on an all-zero `Z`);
        `c` is destroyed and a second call raises `InvalidState`."""

class ServerLogin:
    """The server's result of a login: `S` for the client, the student's keys (spec §5)."""
    @property
    def server_public(self) -> bytes:
        """`S`, returned to the client."""
    @property
    def keys(self) -> SessionKeys:
        """The student's session keys."""

class EnrollmentRecord:
    """A WebAuthn enrollment record (public data) with its device fingerprint (spec §5)."""
    def __init__(
        self,
        user_id: str,
        credential_id: bytes,
        cose_public_key: bytes,
        aaguid: bytes,
        sign_count: int = 0,
    ) -> None: ...
    @property
    def user_id(self) -> str:
        """The enrolled student."""
    @property
    def device_fingerprint(self) -> bytes:
        """`SHA-256("sealwright/v1/device" || lp(credentialId) || aaguid || COSE key)`."""
    def enroll(self, sealer: StoreSealer) -> Step:
        """The enrollment step: a `Step` (output `None`) with the `put` of the sealed record under
        `sw:v1:att:tag(userId):enroll`."""
    @staticmethod
    def open_stored(sealer: StoreSealer, user_id: str, sealed: bytes) -> EnrollmentRecord:
        """Opens a stored record read from `sw:v1:att:tag(userId):enroll`."""

class Totp:
    """A TOTP generator (RFC 6238); the protocol's is HMAC-SHA256, 6 digits, 30 s (spec §5)."""
    def __init__(
        self, key: bytes, algorithm: str = "SHA256", digits: int = 6, step_seconds: int = 30
    ) -> None: ...
    def generate_at_seconds(self, time_seconds: int) -> str:
        """The code at `time_seconds`."""
    def generate(self, t_ms: Optional[int] = None) -> str:
        """The code at `t_ms` (default now)."""
    def verify(self, code: str, t_ms: Optional[int] = None) -> Optional[int]:
        """The matched step within one step of `t_ms`, or `None`."""

class Score:
    """Certainty after all rounds (spec §5)."""
    @property
    def mean(self) -> float:
        """Mean RT (ms)."""
    @property
    def std(self) -> float:
        """Population standard deviation of the RTs (ms)."""
    @property
    def certainty(self) -> int:
        """95, 70, 50 or 20."""
    @property
    def label(self) -> str:
        """The name of the scoring rule that matched."""
    @property
    def status(self) -> str:
        """`"PRESENTE"` when `certainty >= 70`, else `"AUSENTE"`."""

class RoundMetadata:
    """A round's stored metadata `{issued_at_ms, nonce, attempts, used}` (the nonce stays in Rust)
    (spec §5)."""
    def __init__(self, issued_at_ms: int, nonce: bytes, attempts: int = 0, used: bool = False) -> None: ...
    @property
    def issued_at_ms(self) -> int:
        """When the round was issued (Unix ms)."""
    @property
    def attempts(self) -> int:
        """Wrong answers so far (at most `MAX_ATTEMPTS`)."""
    @property
    def used(self) -> bool:
        """`True` once the round was answered correctly."""
    @property
    def rts_ms(self) -> list[int]:
        """The RTs accepted so far (this round's last once used)."""
    def with_attempts(self, attempts: int) -> RoundMetadata:
        """A copy with another attempt count (e.g. as read back from a store)."""
    def to_bytes(self) -> bytes:
        """The sealed-store serialization (contains the round nonce: store it sealed)."""
    @staticmethod
    def from_bytes(data: bytes) -> RoundMetadata:
        """Parses `to_bytes` output."""

class IssuedRound:
    """An issued round: the QR text to project and the metadata to store (spec §5)."""
    @property
    def round(self) -> int:
        """The round number (1 to `Config.rounds`)."""
    @property
    def qr_text(self) -> str:
        """The QR text to show (base45 of the encrypted payload)."""
    @property
    def metadata(self) -> RoundMetadata:
        """The round metadata to store (sealed) until the answer comes."""

class QrPayload:
    """A QR payload opened by its student (the round nonce stays in Rust) (spec §5)."""
    @property
    def session_id(self) -> str:
        """The class session id."""
    @property
    def user_id(self) -> str:
        """The student the QR is for."""
    @property
    def round(self) -> int:
        """The round number."""
    @property
    def issued_at_ms(self) -> int:
        """When the round was issued (Unix ms)."""
    @property
    def totp_s(self) -> str:
        """`TOTPs`."""
    def matches(self, metadata: RoundMetadata) -> bool:
        """Whether this payload carries the nonce of `metadata` (constant time)."""

class Verdict:
    """Outcome of validation steps 2 to 7 for one opened response (spec §5)."""
    @property
    def ok(self) -> bool:
        """`True` when the response passed every step."""
    @property
    def code(self) -> Optional[str]:
        """The failed step's code, or `None`."""
    @property
    def rt_ms(self) -> Optional[int]:
        """RT in ms when accepted."""
    @property
    def metadata_action(self) -> str:
        """What to do with the stored metadata: `"keep"`, `"put"` or `"delete"`."""
    @property
    def metadata(self) -> Optional[RoundMetadata]:
        """The metadata to store for `"put"`."""
    def raise_for_error(self) -> None:
        """Raises the failed step's exception (no-op when accepted)."""

class OpenedResponse:
    """A response that passed step 1 (and the TOTPu check of step 2) (spec §5)."""
    @property
    def user_id(self) -> str:
        """The student who sent the response."""
    @property
    def session_id(self) -> str:
        """The class session id."""
    @property
    def round(self) -> int:
        """The round answered."""
    @property
    def totp_u_step(self) -> int:
        """The TOTP step of the student's code `TOTPu`."""
    @property
    def client_sent_at_ms(self) -> int:
        """When the client says it sent the response (Unix ms)."""
    def check(
        self,
        server_secret: bytes,
        metadata: Optional[RoundMetadata],
        shown_at_ms: list[int],
        config: Optional[Config] = None,
    ) -> Verdict:
        """Steps 3 to 7 against the stored round `metadata` (or `None`) and the projection times."""

class Frame:
    """One projector frame (spec §5)."""
    @property
    def user_id(self) -> str:
        """The student the shown payload is for."""
    @property
    def round(self) -> int:
        """The payload's round."""
    @property
    def qr_text(self) -> str:
        """The QR text to display during this frame."""
    @property
    def displays(self) -> int:
        """How many frames have shown this payload, this one included."""
    @property
    def not_captured(self) -> Optional[tuple[str, int]]:
        """`(user_id, round)` of a payload crossing `MAX_DISPLAYS` for the first time."""

class Projector:
    """The projector state machine: picks a live payload at random each frame (spec §5)."""
    def __init__(self, max_displays: int = 10) -> None: ...
    def insert(self, user_id: str, round: int, qr_text: str, issued_at_ms: int) -> None:
        """Adds a live payload issued at `issued_at_ms` (a newer QR of a live one replaces it)."""
    def remove(self, user_id: str, round: int) -> bool:
        """Removes a payload; `True` if it was live."""
    def __len__(self) -> int: ...
    def __contains__(self, id: tuple[str, int]) -> bool: ...
    def next_frame(self, now_ms: Optional[int] = None) -> Optional[Frame]:
        """The next frame at `now_ms` (default now), or `None` when nothing is live."""
    def show(self, user_id: str, round: int, now_ms: Optional[int] = None) -> Optional[Frame]:
        """Shows a given payload at `now_ms` (default now)."""
    def shown_at(self, user_id: str, round: int) -> list[int]:
        """The server times this payload was shown at."""
    def displays(self, user_id: str, round: int) -> Optional[int]:
        """Display count of a live payload."""

Load = Callable[[str], Optional[bytes]]

class IssuedQr:
    """A QR just issued for a student's round: hand it to the next `ClassSession.frame` (the
    projector's inbox) (spec §5)."""
    @property
    def user_id(self) -> str:
        """The student the QR is for."""
    @property
    def round(self) -> int:
        """The round number."""
    @property
    def qr_text(self) -> str:
        """The QR text to show."""
    @property
    def issued_at_ms(self) -> int:
        """When the round was issued (Unix ms)."""

class Projection:
    """The output of `ClassSession.frame` (spec §5)."""
    @property
    def frame(self) -> Optional[Frame]:
        """What to show now, or `None`."""
    @property
    def removed(self) -> list[tuple[str, int]]:
        """`(user_id, round)` of payloads dropped (answered, deleted or expired)."""
    @property
    def stale(self) -> list[tuple[str, int]]:
        """`(user_id, round)` of payloads too old to show: re-issue them (`ClassSession.issue`)."""

class Validation:
    """The output of `ClassSession.validate`: the verdict for the envelope's student (spec §5)."""
    @property
    def user_id(self) -> str:
        """The student who answered."""
    @property
    def round(self) -> Optional[int]:
        """The round answered when accepted."""
    @property
    def rt_ms(self) -> Optional[int]:
        """The accepted round trip time (ms), when accepted."""
    @property
    def next(self) -> Optional[IssuedQr]:
        """The next round's QR (hand it to the next frame), if one was issued."""
    @property
    def score(self) -> Optional[Score]:
        """The score when the student finished."""
    @property
    def ok(self) -> bool:
        """`True` when the response was accepted."""
    @property
    def code(self) -> Optional[str]:
        """The failed check's code, or `None`."""
    @property
    def error(self) -> Optional[SealwrightError]:
        """The failed check's exception instance, or `None`."""
    def raise_for_error(self) -> None:
        """Raises the failed check's exception (no-op when accepted)."""

class ClassSession:
    """One class session's server steps (spec §5, step contract of §0.2). It holds
    configuration only: each step takes ``load(key) -> bytes | None`` and returns a ``Step``
    whose effects are one transaction, e.g.
    ``sealwright.run_step(redis, lambda load: session.validate(response, load))``."""
    def __init__(
        self, session_id: str, server_secret: bytes, sealer: StoreSealer, config: Optional[Config] = None
    ) -> None: ...
    @property
    def session_id(self) -> str:
        """The class session id."""
    def register(self, user_id: str, load: Load, now_ms: Optional[int] = None) -> Step:
        """The register step: ``NotEnrolled`` without the student's enrollment record,
        ``SessionInvalid`` without a login, ``InvalidState`` if already registered; output: the
        round 1 ``IssuedQr``."""
    def issue(self, user_id: str, round: int, load: Load, now_ms: Optional[int] = None) -> Step:
        """The issue step: (re-)issues round ``round`` (attempts and RTs kept on a re-issue);
        output: the ``IssuedQr``."""
    def frame(self, inbox: list[IssuedQr], load: Load, now_ms: Optional[int] = None) -> Step:
        """The frame step: adds the ``inbox`` QRs, picks a live payload at random, counts the
        display; output: a ``Projection``. Only this step writes the projector record."""
    def validate(
        self, response: Union[dict[str, Any], str, bytes], load: Load, received_at_ms: Optional[int] = None
    ) -> Step:
        """The validate step (checks 1 to 7 in the spec's order) for a response received at
        ``received_at_ms``; output: a ``Validation`` (a counted failure comes with effects
        too). ``InvalidInput`` for a malformed envelope."""
    def close_student(self, user_id: str, round: int, not_captured: bool, load: Load) -> Step:
        """The close step for a student whose round is still open when the class ends;
        output: the result kind stored (``"not_captured"`` or ``"incomplete"``), or ``None``."""
    def state(self, user_id: str, load: Load) -> Optional[tuple[str, Any]]:
        """A student's state read through `load`: `("in_progress", round)`, `("finished", Score)`,
        `("failed", code)`, `("closed", not_captured)`, or `None`."""

def attendance_issue_login_nonce(
    user_id: str, sealer: StoreSealer, config: Optional[Config] = None, now_ms: Optional[int] = None
) -> Step:
    """Login step 1 (spec §5): a ``Step`` whose output is a fresh login nonce ``Nl`` (32 bytes)
    for ``user_id``, with the ``put_if_absent`` of its sealed record (TTL 300 s by default)."""
def attendance_login(
    user_id: str,
    login_nonce: bytes,
    client_public: bytes,
    load: Load,
    sealer: StoreSealer,
    config: Optional[Config] = None,
) -> Step:
    """Login step 3 as a server step (spec §5), after the WebAuthn library verified the
    assertion: loads the nonce record through ``load`` (``SessionInvalid`` when missing: a
    nonce logs in once), derives the keys, and returns a ``Step`` whose output is a
    ``ServerLogin`` and whose effects spend the nonce and store the sealed session key."""
def attendance_login_challenge(login_nonce: bytes, client_public: bytes, user_id: str) -> bytes:
    """`SHA-256("sealwright/v1/attendance/login" || Nl || C || lp(userId))` (spec §5)."""
def attendance_server_login(user_id: str, login_nonce: bytes, client_public: bytes) -> ServerLogin:
    """The key agreement of login step 3 alone (no store: a server uses `login`) (spec §5)."""
def attendance_totp_s(secret_s: bytes, issued_at_ms: int) -> str:
    """`TOTPs = TOTP(secret_s, issued_at_ms)` (spec §5)."""
def attendance_score(rts_ms: list[int]) -> Score:
    """Scores a list of round-trip times in ms (`INVALID_INPUT` for an empty list) (spec §5)."""
def attendance_issue_round(
    keys: SessionKeys,
    server_secret: bytes,
    session_id: str,
    round: int,
    issued_at_ms: Optional[int] = None,
) -> IssuedRound:
    """Issues round `round` for one student at `issued_at_ms` (default now) (spec §5)."""
def attendance_try_qr(keys: SessionKeys, qr_text: str) -> QrPayload:
    """The student side: opens a QR with its own `K_qr` (`DECRYPTION_FAILED`: not this student's)
    (spec §5)."""
def attendance_respond(
    keys: SessionKeys, qr: QrPayload, client_sent_at_ms: Optional[int] = None
) -> dict[str, Any]:
    """The student's answer to a QR at `client_sent_at_ms` (default now), as a `dict` (spec §5)."""
def attendance_open_response(
    keys: Optional[SessionKeys],
    response: Union[dict[str, Any], str, bytes],
    received_at_ms: Optional[int] = None,
) -> OpenedResponse:
    """Validation steps 1 and 2 of a response (`dict` or JSON text) at `received_at_ms` (spec §5)."""

# --- handshake (spec §2) ---

WireObject = Union[dict[str, Any], str, bytes]

class PrimaryKey:
    """A secp256k1 primary key pair `(d, P)` (the client's long-term key), held in Rust (spec §2)."""
    @staticmethod
    def generate() -> PrimaryKey:
        """A fresh key (OS RNG)."""
    @staticmethod
    def from_bytes(private_key: bytes) -> PrimaryKey:
        """A key from its 32-byte big-endian scalar."""
    def to_bytes(self) -> bytes:
        """The private scalar (a secret: for the device's own secure storage)."""
    @property
    def public_bytes(self) -> bytes:
        """`P`, SEC1 compressed (33 bytes)."""

class ServerKeys:
    """The server's long-term material: the RSA-4096 identity, the master entropy `E` and the
    storage secret (giving `K_store`); all held in Rust (spec §2)."""
    def __init__(self, identity_pkcs8_der: bytes, entropy: bytes, storage_secret: bytes) -> None: ...
    @staticmethod
    def generate(entropy: bytes, storage_secret: bytes) -> ServerKeys:
        """Fresh server keys: a new RSA-4096 identity (GIL released; takes a few seconds), the
        given entropy (at least 32 bytes) and 32-byte storage secret."""
    def public_key_der(self) -> bytes:
        """The identity public key (SPKI DER) that clients pin."""

class HandshakeStoreKeys:
    """The two store keys a handshake step loads (spec §2.1, §2.3)."""
    @property
    def device(self) -> str:
        """`sw:v1:hs:T:device`."""
    @property
    def last(self) -> str:
        """`sw:v1:hs:T:last`."""
    def as_list(self) -> list[str]:
        """`[device, last]` (e.g. for one Redis `MGET`)."""

class ProcessStoreKeys:
    """The five store keys a process request needs loaded (spec §2.2, §2.3)."""
    @property
    def session(self) -> str:
        """`sw:v1:hs:T:session`."""
    @property
    def eph(self) -> str:
        """`sw:v1:hs:T:eph:<kid>`."""
    @property
    def claim(self) -> str:
        """`sw:v1:hs:T:claim:<kid>`."""
    @property
    def last(self) -> str:
        """`sw:v1:hs:T:last`."""
    @property
    def retry(self) -> str:
        """`sw:v1:hs:T:retry:<hex(request_id)>`."""
    def as_list(self) -> list[str]:
        """`[session, eph, claim, last, retry]` (e.g. for one Redis `MGET`)."""

class Opened:
    """A request that passed spec §2.2 steps 1 to 3; its claim is in the open step's effects.
    Commit those, hand `plaintext` to the business logic, then `respond` once (a second call
    raises `InvalidState`) and commit its effects once (never rerun: on a failed commit reload
    `retry_key` and call `after_conflict`)."""
    @property
    def plaintext(self) -> bytes:
        """The request plaintext."""
    @property
    def device_id(self) -> str:
        """The device."""
    @property
    def kid(self) -> str:
        """The kid the request used."""
    @property
    def request_id(self) -> bytes:
        """`request_id`, 32 bytes."""
    @property
    def retry_key(self) -> str:
        """The key of this request's stored response (reload it after a failed respond commit)."""
    def respond(self, response: bytes) -> Step:
        """Step 5: rotation and the response, `Step(output=response, effects)`; the response is
        `bytes` if the request was given as `bytes`, `str` if as `str`, else a `dict`."""

class Retry:
    """An idempotent retry of an answered request: send `response` again (no effects) (spec §2)."""
    @property
    def response(self) -> Any:
        """The stored response, in the request's form (`bytes`, `str` or `dict`, as the request came)."""

class HandshakeClient:
    """The device side of the handshake: one object through the states `new` -> `start()` ->
    `awaiting_handshake` -> `finish(response)` -> `established` -> `send(plaintext)` ->
    `awaiting_response` -> `receive(response)` -> `established` ... A call in another state
    raises `InvalidState` naming the expected step; a rejected response leaves the state as it
    was (the request can be resent: `pending_request`) (spec §2)."""
    def __init__(self, device_id: str, primary: PrimaryKey, server_public_key_der: bytes) -> None: ...
    @property
    def state(self) -> str:
        """`"new"`, `"awaiting_handshake"`, `"established"`, `"awaiting_response"` or `"failed"`."""
    @property
    def kid(self) -> Optional[str]:
        """The current kid (`established` / `awaiting_response`), else `None`."""
    def pending_request(self) -> Optional[dict[str, Any]]:
        """The request waiting for its response (to resend it byte for byte), else `None`."""
    def start(self) -> dict[str, Any]:
        """Spec §2.1: the handshake request (`dict`); state `new` only."""
    def finish(self, response: WireObject) -> None:
        """Verifies the server's handshake response; state `awaiting_handshake`."""
    def send(self, plaintext: bytes) -> dict[str, Any]:
        """Spec §2.2: the request (`dict`) carrying `plaintext`; state `established`."""
    def receive(self, response: WireObject) -> bytes:
        """Opens the server's response and rotates to its new kid; state `awaiting_response`."""
    def pickle(self, pickle_key: bytes) -> str:
        """The established state as an encrypted pickle under a 32-byte key (spec §2.3)."""
    @staticmethod
    def unpickle(pickle_key: bytes, pickle: str) -> HandshakeClient:
        """An established client restored from `pickle()`."""

def handshake_handshake_store_keys(request: WireObject) -> HandshakeStoreKeys:
    """The store keys of a handshake request (`INVALID_INPUT` / `UNSUPPORTED_VERSION` if it does
    not parse) (spec §2)."""
def handshake_server_handshake(
    keys: ServerKeys, request: WireObject, records: Sequence[Optional[bytes]], now_ms: Optional[int] = None
) -> Step:
    """Spec §2.1, the server's handshake step: `Step(output=response, effects)`. `records` are the
    values loaded at `handshake_store_keys(request).as_list()` (`[device, last]`, `None` where
    absent). `DEVICE_MISMATCH` if the device is bound to another primary key. The RSA work runs
    with the GIL released. The step may be rerun on a failed commit (`run_step`)."""
def handshake_server_bind_device(
    keys: ServerKeys, device_id: str, client_primary: bytes, device: Optional[bytes]
) -> Step:
    """Binds `device_id` to a known client primary key (33 bytes compressed) before its first
    handshake: `Step(output=bound, effects)`. `device` is the value loaded at
    `handshake_store_keys(...).device` (`DEVICE_MISMATCH` if another key is bound) (spec §2)."""
def handshake_server_reenroll(
    keys: ServerKeys, device_id: str, load: Callable[[str], Optional[bytes]]
) -> Step:
    """Re-enrolment (spec §2.1): `Step(output=was_bound, effects)` removing the device binding,
    `last`, the `eph` it names (`delete_if_equal`) and the session (`delete`). `load(key)`
    returns the stored bytes at `key` or `None` (e.g. `redis.get`); it fits `run_step`."""
def handshake_process_store_keys(request: WireObject) -> ProcessStoreKeys:
    """The store keys of a process request (`INVALID_INPUT` / `UNSUPPORTED_VERSION` if it does not
    parse) (spec §2)."""
def handshake_server_open(
    keys: ServerKeys, request: WireObject, records: Sequence[Optional[bytes]], now_ms: Optional[int] = None
) -> Step:
    """Spec §2.2 steps 1 to 3, the open step: `Step(output=Opened | Retry, effects)`. `records` are
    the values loaded at `process_store_keys(request).as_list()` (`[session, eph, claim, last,
    retry]`, `None` where absent). For `Opened` the effects are the claim: commit them before
    the business logic (rerun on a failed commit: `run_step`); `Retry` has none. Raises
    `InProgress` while another delivery of the same request holds the claim."""
def handshake_after_conflict(keys: ServerKeys, request: WireObject, retry: Optional[bytes]) -> Any:
    """After a respond commit that failed a condition (spec §2.2 step 5): `retry` is the value
    reloaded at `Opened.retry_key`. Returns this request's stored response if another delivery
    answered it, else raises `Conflict`."""
def handshake_x25519_public(private_key: bytes) -> bytes:
    """The X25519 public key of a 32-byte private key (spec §2)."""
def handshake_request_id(request: WireObject) -> bytes:
    """`request_id` of a process request (`dict` or JSON text) (spec §2)."""

# --- test-utils builds only (cargo feature `test-utils`; absent from a shipped wheel) ---
# Caller-chosen nonces and raw secrets, for vector replay and interoperability checks.

# The next RNG this thread creates returns these bytes first, then the OS RNG.
def _testing_script_next_rng(chunks: list[bytes]) -> None: ...
def shares_derive_key(password: str, salt: bytes) -> bytes:
    """The envelope key `K = Argon2id(password, salt, t=3, m=64 MiB, p=4, 16 bytes)` of spec
    §3 (a secret: for interoperability checks; test builds only, feature `test-utils`)."""
def vault_master_key(master_password: str, salt: bytes, params: KdfLike) -> bytes:
    """`MK = KDF(master_password, salt)` of spec §4.2 (32 bytes, a secret; the limits are
    checked first). Test builds only (feature `test-utils`); clients log in with `login`."""
def vault_auth_hash(master_key: bytes) -> bytes:
    """`AH = HKDF("", MK, "sealwright/v2/vault/auth", 32)` (spec §4.2). Test builds only."""
def vault_wrap_key(master_key: bytes) -> bytes:
    """`WK = HKDF("", MK, "sealwright/v2/vault/wrap", 32)` (spec §4.2). Test builds only."""
def attendance_round_secret(server_secret: bytes, session_id: str, user_id: str, round: int) -> bytes:
    """`secret_s = HMAC-SHA256(SERVER_SECRET, "…/totp-s" || lp(sessionId) || lp(userId) ||
    u32be(r))` (spec §5; a secret, test builds only)."""
def handshake_server_primary_key(entropy: bytes, nonce: bytes) -> PrimaryKey:
    """`d_s` from the entropy and a handshake nonce (spec §2), for interoperability checks. Test
    builds only (feature `test-utils`): a caller-chosen nonce."""
def handshake_primary_secret(own: PrimaryKey, peer_public: bytes) -> bytes:
    """`SS_p = ECDH_k1(own, peer)` (spec §2; a secret, for interoperability checks; test builds
    only)."""
def handshake_x25519(private_key: bytes, public_key: bytes) -> bytes:
    """`X25519(private, public)` (spec §2; `LOW_ORDER_POINT` for an all-zero result; a secret,
    test builds only)."""
def handshake_wrap_key(device_id: str, primary_secret: bytes) -> bytes:
    """`K_p = HKDF(deviceId, SS_p, "HandshakeWrapKey", 32)` (spec §2; a secret, test builds
    only)."""
def handshake_message_key(device_id: str, primary_secret: bytes, ephemeral_secret: bytes) -> bytes:
    """`K_m = HKDF(deviceId, SS_p || SS_e, "HandshakeMessageKey", 32)` (spec §2; a secret, test
    builds only)."""
