//! JOSE interop (spec §1): objects made by jwcrypto open / verify here, and jwcrypto's
//! recorded checks of our objects refer to the current vectors
//! (see `test-vectors/fixtures/README.md`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod relay_common;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use relay_common::{fixture, keys, lookup, pinned};
use serde_json::Value;

fn load(path: &str) -> Value {
    let full = format!("{}/../../test-vectors/{path}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(full).unwrap()).unwrap()
}

fn fixtures() -> (Value, Value) {
    (
        load("fixtures/jose_interop.json"),
        load("relay.json")["cases"][0].clone(),
    )
}

#[test]
fn rid_matches_library_thumbprint() {
    let (fx, case) = fixtures();
    assert_eq!(fx["rid"], fixture().a.rid());
    assert_eq!(
        fx["libraryChecked"]["thumbprintOfRecipientJwk"],
        case["aud"]
    );
}

#[test]
fn recipient_opens_library_response() {
    let (fx, _) = fixtures();
    let m = &fx["libraryMade"];
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    let response = m["response"].as_str().unwrap();
    let jti = m["responseJti"].as_str().unwrap();
    let value = fixture()
        .a
        .open_response_for_jti(response, jti, &pinned(), &mut rng)
        .unwrap();
    assert_eq!(
        value.expose(),
        m["responsePlaintext"].as_str().unwrap().as_bytes()
    );
    // The library's (randomized-k) ES256 JWS verifies under the pinned key directly.
    let payload =
        sealwright::relay::verify_es256_jws(m["responseJws"].as_str().unwrap(), &pinned()).unwrap();
    let payload: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["jti"], jti);
    // Bound to its jti.
    assert_eq!(
        fixture()
            .a
            .open_response_for_jti(response, "AAAAAAAAAAAAAAAAAAAAAA", &pinned(), &mut rng)
            .unwrap_err(),
        sealwright::Error::Replay
    );
}

#[test]
fn server_accepts_library_request_and_sealed() {
    let (fx, case) = fixtures();
    let m = &fx["libraryMade"];
    let f = fixture();
    let mut rng = ChaCha20Rng::from_seed([2; 32]);
    let now_ms = m["requestNow"].as_u64().unwrap() * 1000;
    let acc = keys()
        .decrypt_request(
            m["request"].as_str().unwrap(),
            lookup(&[&f.a]),
            |_| false,
            now_ms,
            &mut rng,
        )
        .unwrap();
    assert_eq!(acc.jti, m["requestJti"].as_str().unwrap());
    let value =
        f.a.open_response_for_jti(&acc.response, &acc.jti, &pinned(), &mut rng)
            .unwrap();
    let want = sealwright::encoding::hex_decode(case["value"].as_str().unwrap()).unwrap();
    assert_eq!(value.expose(), &want[..]);
    // A flipped signature byte from the library's token is still caught.
    let req = m["request"].as_str().unwrap();
    let (head, sig) = req.rsplit_once('.').unwrap();
    let mut raw = sealwright::encoding::b64url_decode(sig).unwrap();
    raw[7] ^= 1;
    let bad = format!("{head}.{}", sealwright::encoding::b64url_encode(&raw));
    assert_eq!(
        keys()
            .decrypt_request(&bad, lookup(&[&f.a]), |_| false, now_ms, &mut rng)
            .unwrap_err(),
        sealwright::Error::BadSignature
    );

    let opened = keys()
        .open_sealed(m["sealed"].as_str().unwrap(), f.a.rid())
        .unwrap();
    assert_eq!(
        opened.expose(),
        m["sealedValue"].as_str().unwrap().as_bytes()
    );
    assert_eq!(
        keys()
            .open_sealed(m["sealed"].as_str().unwrap(), f.b.rid())
            .unwrap_err(),
        sealwright::Error::AudienceMismatch
    );
}

#[test]
fn library_checked_the_current_vectors() {
    let (fx, case) = fixtures();
    let c = &fx["libraryChecked"];
    assert_eq!(c["requestSignatureVerified"], true);
    assert_eq!(c["request"], case["request"]);
    assert_eq!(c["requestPayload"]["sealed"], case["sealed"]);
    assert_eq!(c["response"], case["response"]);
    assert_eq!(c["responseDecrypted"], case["responseJws"]);
    assert_eq!(c["responseSignatureVerified"], true);
    assert_eq!(c["responsePayload"]["jti"], case["jti"]);
    assert_eq!(c["responsePayload"]["iat"], case["responseIat"]);
    let value = sealwright::encoding::hex_decode(case["value"].as_str().unwrap()).unwrap();
    let value = String::from_utf8(value).unwrap();
    assert_eq!(c["responseValue"], value.as_str());
    assert_eq!(c["sealed"], case["sealed"]);
    assert_eq!(c["sealedDecrypted"], value.as_str());
}
