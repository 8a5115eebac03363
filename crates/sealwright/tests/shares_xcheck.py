# Independent cross-check of test-vectors/shares.json with pyca/cryptography (Argon2id, AES-GCM, ECDSA).
import json, sys, base64
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives import hashes
n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141
d = json.load(open(sys.argv[1]))
for c in d['cases']:
    if 'expectedError' in c: continue
    pw = c['password'].encode()
    dd = int(c['walletPrivate'], 16)
    for blk, gen in ((c, 0), (c['recovery'], 1)):
        a = int(blk['coefficient'], 16)
        assert blk['generation'] == gen
        for s in blk['shares']:
            x = s['x']; y = (dd + a * x) % n
            pt = bytes([1, 2, x]) + gen.to_bytes(4, 'big') + y.to_bytes(32, 'big')
            assert pt.hex() == s['plaintext'], (c['name'], x)
            salt = bytes.fromhex(s['salt']); iv = bytes.fromhex(s['iv'])
            k = Argon2id(salt=salt, length=16, iterations=3, lanes=4, memory_cost=65536).derive(pw)
            assert k.hex() == s['argon2Key']
            env = salt + iv + AESGCM(k).encrypt(iv, pt, b'')
            assert base64.b64encode(env).decode() == s['envelope']
    sig = bytes.fromhex(c['signature'][2:])
    r, s_ = int.from_bytes(sig[:32], 'big'), int.from_bytes(sig[32:64], 'big')
    assert s_ <= n // 2 and sig[64] in (27, 28)
    pub = ec.derive_private_key(dd, ec.SECP256K1()).public_key()
    pub.verify(utils.encode_dss_signature(r, s_), bytes.fromhex(c['messageHash']), ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    print('ok:', c['name'])
