# Independent cross-check of test-vectors/vault.json with Python hashlib (PBKDF2) and
# pyca/cryptography (AES-GCM with 12- and 16-byte IVs, Argon2id).
# Run: python3 crates/sealwright/tests/vault_xcheck.py test-vectors/vault.json
import json, sys, hashlib, base64, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
d = json.load(open(sys.argv[1]))
assert d['specVersion'] == 2  # byte payloads (plaintext) in hex
H = bytes.fromhex
def lp(b): return len(b).to_bytes(2, 'big') + b
def hkdf(ikm, info):
    prk = hmac.new(b'\0' * 32, ikm, 'sha256').digest()
    return hmac.new(prk, info + b'\x01', 'sha256').digest()
def b64url(s): return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))
def phcb64(s): return base64.b64decode(s + '=' * (-len(s) % 4))
def kdf(params, pw, salt):
    if params['alg'] == 'pbkdf2-sha256':
        return hashlib.pbkdf2_hmac('sha256', pw, salt, params['i'], 32)
    assert params['alg'] == 'argon2id'
    return Argon2id(salt=salt, length=32, iterations=params['t'], lanes=params['p'],
                    memory_cost=params['m']).derive(pw)
n = 0
for c in d['cases']:
    if 'expectedError' in c: continue
    for l in c['legacy']:
        key = hashlib.pbkdf2_hmac('sha256', l['secret'].encode(), l['userId'].encode(), 100000, 32)
        assert key.hex() == l['pbkdf2Key']
        r = l['record']; iv = base64.b64decode(r['iv']); assert iv.hex() == l['iv'] and len(iv) == 16
        dec = Cipher(algorithms.AES(key), modes.GCM(iv, base64.b64decode(r['authTag']))).decryptor()
        pt = dec.update(base64.b64decode(r['encryptedPassword'])) + dec.finalize()
        assert pt.hex() == l['plaintext']; n += 1
    for v in c['verifiers']:
        _, alg, params, salt, h = v['phc'].split('$')
        i = int(params.split(',')[0][2:])
        assert phcb64(salt).hex() == v['salt']
        assert hashlib.pbkdf2_hmac('sha256', v['password'].encode(), phcb64(salt), i, 32) == phcb64(h); n += 1
    v2 = c['v2']; uid = v2['userId'].encode()
    for pre, pw, salt, kd, mk, ah, av, wk, wn, wr in [
        ('', v2['masterPassword'], v2['salt'], v2['kdf'], v2['masterKey'], v2['authHash'], v2['authVerifier'], v2['wrapKey'], v2['wrapNonce'], v2['wrappedVaultKey']),
        ('new', *[v2['passwordChange'][k] for k in ['newMasterPassword','newSalt','newKdf','newMasterKey','newAuthHash','newAuthVerifier','newWrapKey','newWrapNonce','newWrappedVaultKey']])]:
        assert kdf(kd, pw.encode(), H(salt)).hex() == mk, (pre, 'MK'); n += 1
        MK = H(mk)
        assert hkdf(MK, b'sealwright/v2/vault/auth').hex() == ah
        assert hashlib.sha256(H(ah)).hexdigest() == av
        assert hkdf(MK, b'sealwright/v2/vault/wrap').hex() == wk
        assert wr.startswith('sw2k.'); boxed = b64url(wr[5:]); assert boxed[:12].hex() == wn
        vk = AESGCM(H(wk)).decrypt(boxed[:12], boxed[12:], b'sealwright/v2/vault/key' + lp(uid))
        assert vk.hex() == v2['vaultKey']; n += 1
    for r in v2['records']:
        boxed = b64url(r['record'][4:]); assert r['record'].startswith('sw2.') and boxed[:12].hex() == r['nonce']
        pt = AESGCM(H(v2['vaultKey'])).decrypt(boxed[:12], boxed[12:], b'sealwright/v2/vault/record' + lp(uid) + lp(r['recordId'].encode()))
        assert pt.hex() == r['plaintext']; n += 1
print('vault.json: cross-checked', n, 'items')
