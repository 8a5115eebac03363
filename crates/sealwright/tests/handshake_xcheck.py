"""Independent cross-check of test-vectors/handshake.json (spec section 2) with pyca/cryptography
and a few lines of textbook secp256k1 arithmetic, sharing no code with the Rust core.

Checks every positive case: d_s = (OS2IP(HKDF(nonce, E, info, 48)) mod (n-1)) + 1, P_s, SS_p
from the client's side, K_p, K_m, request_id, the RSA-OAEP request (decrypted to P_c), the
RSA-PSS signature (salt 32) over the transcript, and every sealed field of every message
(opened with its AAD) through the kid rotation.
Usage: python3 crates/sealwright/tests/handshake_xcheck.py
"""
import base64, hashlib, hmac, json, pathlib
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
P = 2**256 - 2**32 - 977
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)

def hkdf(salt, ikm, info, length):
    prk = hmac.new(salt or b"\0" * 32, ikm, hashlib.sha256).digest()
    t, out, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest(); out += t; i += 1
    return out[:length]

def add(a, b):
    if a is None: return b
    if b is None: return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0: return None
    l = 3 * a[0] * a[0] * pow(2 * a[1], -1, P) if a == b else (b[1] - a[1]) * pow(b[0] - a[0], -1, P)
    x = (l * l - a[0] - b[0]) % P
    return (x, (l * (a[0] - x) - a[1]) % P)

def mul(k, pt):
    r = None
    while k:
        if k & 1: r = add(r, pt)
        pt = add(pt, pt); k >>= 1
    return r

def decompress(b):
    x = int.from_bytes(b[1:], "big"); y = pow((x**3 + 7) % P, (P + 1) // 4, P)
    return (x, y if y % 2 == b[0] - 2 else P - y)

def compress(pt):
    return bytes([2 + pt[1] % 2]) + pt[0].to_bytes(32, "big")

lp = lambda b: len(b).to_bytes(2, "big") + b
x_pub = lambda hx: X25519PrivateKey.from_private_bytes(bytes.fromhex(hx)).public_key().public_bytes_raw()
def gcm_open(k, blob, aad): return AESGCM(k).decrypt(blob[:12], blob[12:], aad)

path = pathlib.Path(__file__).resolve().parents[3] / "test-vectors" / "handshake.json"
cases = json.loads(path.read_text())["cases"]
positives = [c for c in cases if "expectedError" not in c]
assert len(positives) >= 1
for c in positives:
    dev = c["deviceId"].encode()
    okm = hkdf(bytes.fromhex(c["handshakeNonce"]), bytes.fromhex(c["serverEntropy"]), b"sealwright/v1/server-primary", 48)
    d_s = int.from_bytes(okm, "big") % (N - 1) + 1
    assert d_s == int(c["serverPrimaryPrivate"], 16)
    hr, hs = c["handshakeRequest"], c["handshakeResponse"]
    p_s = base64.b64decode(hs["publicKeyPrimary"])
    assert compress(mul(d_s, G)) == p_s
    d_c = int(c["clientPrimaryPrivate"], 16)
    ss_p = mul(d_c, decompress(p_s))[0].to_bytes(32, "big")
    assert ss_p.hex() == c["primarySecret"]
    k_p = hkdf(dev, ss_p, b"HandshakeWrapKey", 32)
    assert k_p.hex() == c["wrapKey"]
    rsa = serialization.load_der_private_key(bytes.fromhex(c["serverRsaPrivateKeyPkcs8"]), None)
    oaep = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
    p_c = rsa.decrypt(base64.b64decode(hr["publicKeyPrimary"]), oaep)
    assert p_c == compress(mul(d_c, G))
    e_s_pub = base64.b64decode(hs["publicKeyEphemeral"])
    assert e_s_pub == x_pub(c["serverEphemeralPrivate"])
    transcript = (b"sealwright/v1/handshake" + lp(dev) + base64.b64decode(hr["clientNonce"]) + p_c
                  + p_s + e_s_pub + lp(hs["kid"].encode()))
    rsa.public_key().verify(base64.b64decode(hs["signature"]), transcript,
                            padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    kid, e_s = hs["kid"], c["serverEphemeralPrivate"]
    aad = lambda label, d, k: label + bytes([d]) + lp(dev) + lp(k.encode())
    for m in c["messages"]:
        rq, rs = m["request"], m["response"]
        assert rq["kid"] == kid
        eph, data = base64.b64decode(rq["publicKeyEphemeral"]), base64.b64decode(rq["data"])
        assert hashlib.sha256(lp(kid.encode()) + eph + data).hexdigest() == m["requestId"]
        e_c = gcm_open(k_p, eph, aad(b"sealwright/v1/eph", 1, kid))
        assert e_c == x_pub(m["clientEphemeralPrivate"])
        ss_e = X25519PrivateKey.from_private_bytes(bytes.fromhex(e_s)).exchange(X25519PublicKey.from_public_bytes(e_c))
        assert ss_e.hex() == m["ephemeralSecret"]
        k_m = hkdf(dev, ss_p + ss_e, b"HandshakeMessageKey", 32)
        assert k_m.hex() == m["messageKey"]
        assert gcm_open(k_m, data, aad(b"sealwright/v1/data", 1, kid)) == bytes.fromhex(m["requestPlaintext"])
        assert rs["kid"] == m["nextKid"] != kid
        e_s2 = gcm_open(k_p, base64.b64decode(rs["publicKeyEphemeral"]), aad(b"sealwright/v1/eph", 2, rs["kid"]))
        assert e_s2 == x_pub(m["nextServerEphemeralPrivate"])
        assert gcm_open(k_m, base64.b64decode(rs["data"]), aad(b"sealwright/v1/data", 2, kid)) == bytes.fromhex(m["responsePlaintext"])
        kid, e_s = rs["kid"], m["nextServerEphemeralPrivate"]
    print(f"{c['name']}: ok ({len(c['messages'])} messages)")
print(f"{len(positives)} positive cases cross-checked")
