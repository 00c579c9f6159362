//! The cryptography of the push channels, on `ring` (already in the tree through rustls, audited, and
//! offering exactly the primitives needed): JWS compact tokens (ES256 for VAPID and APNs, RS256 for the
//! FCM service-account assertion), PEM decoding, and the RFC 8291 `aes128gcm` Web Push encryption.
//!
//! Hand-written on purpose: a JWS here is three base64url parts and one signature, and RFC 8291 is two
//! HKDF steps and one AES-GCM record; the maintained crates for either (`jsonwebtoken`, `ece`) would add
//! a second crypto stack (OpenSSL for `ece`) for the same few lines.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RsaKeyPair};
use ring::{aead, agreement, hkdf};
use serde_json::Value;

/// A key or signing failure (bad key file, unusable peer key).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CryptoError(pub String);

fn fail(what: &str) -> impl Fn(ring::error::Unspecified) -> CryptoError + '_ {
    move |_| CryptoError(what.to_owned())
}

/// base64url without padding (JWS, Web Push keys).
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, with or without padding (browsers send both).
pub fn b64url_decode(text: &str) -> Result<Vec<u8>, CryptoError> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|e| CryptoError(format!("base64url illisible : {e}")))
}

/// The DER body of the first PEM block labelled `label` (`PRIVATE KEY` for PKCS#8).
pub fn pem_der(pem: &str, label: &str) -> Result<Vec<u8>, CryptoError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem
        .find(&begin)
        .ok_or_else(|| CryptoError(format!("bloc PEM « {label} » absent")))?
        + begin.len();
    let stop = pem[start..]
        .find(&end)
        .ok_or_else(|| CryptoError("bloc PEM non terminé".into()))?
        + start;
    let body: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD
        .decode(body)
        .map_err(|e| CryptoError(format!("PEM illisible : {e}")))
}

/// An ES256 signing key (VAPID, APNs provider token), from PKCS#8.
pub struct Es256Key {
    key: EcdsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for Es256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Es256Key(…)")
    }
}

impl Es256Key {
    /// From a PKCS#8 DER document.
    pub fn from_pkcs8(der: &[u8]) -> Result<Self, CryptoError> {
        let rng = SystemRandom::new();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng)
            .map_err(|e| CryptoError(format!("clé P-256 PKCS#8 refusée : {e}")))?;
        Ok(Self { key, rng })
    }

    /// From a PEM file's text (`-----BEGIN PRIVATE KEY-----`, as Apple's `.p8`).
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        Self::from_pkcs8(&pem_der(pem, "PRIVATE KEY")?)
    }

    /// The uncompressed public point (65 bytes), e.g. the VAPID `k=` parameter.
    pub fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }

    /// A compact JWS `header.claims.signature`.
    pub fn jwt(&self, header: &Value, claims: &Value) -> Result<String, CryptoError> {
        let input = signing_input(header, claims);
        let sig = self
            .key
            .sign(&self.rng, input.as_bytes())
            .map_err(fail("signature ES256 impossible"))?;
        Ok(format!("{input}.{}", b64url(sig.as_ref())))
    }
}

/// An RS256 signing key (the FCM service account's), from PKCS#8.
pub struct Rs256Key {
    key: RsaKeyPair,
    rng: SystemRandom,
}

impl std::fmt::Debug for Rs256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Rs256Key(…)")
    }
}

impl Rs256Key {
    /// From a PEM file's text (`-----BEGIN PRIVATE KEY-----`).
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        let der = pem_der(pem, "PRIVATE KEY")?;
        let key = RsaKeyPair::from_pkcs8(&der)
            .map_err(|e| CryptoError(format!("clé RSA PKCS#8 refusée : {e}")))?;
        Ok(Self {
            key,
            rng: SystemRandom::new(),
        })
    }

    /// A compact JWS `header.claims.signature`.
    pub fn jwt(&self, header: &Value, claims: &Value) -> Result<String, CryptoError> {
        let input = signing_input(header, claims);
        let mut sig = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &self.rng,
                input.as_bytes(),
                &mut sig,
            )
            .map_err(fail("signature RS256 impossible"))?;
        Ok(format!("{input}.{}", b64url(&sig)))
    }
}

fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

/// Whether `point` is a usable P-256 public key (uncompressed, on the curve): checked by a throwaway
/// key agreement, so a bad subscription is refused at registration rather than failing every send.
pub fn valid_p256_point(point: &[u8]) -> bool {
    let rng = SystemRandom::new();
    agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).is_ok_and(|key| {
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, point);
        agreement::agree_ephemeral(key, &peer, |_| ()).is_ok()
    })
}

/// Record size announced in the `aes128gcm` header: one record always suffices (payloads are capped).
const RECORD_SIZE: u32 = 4096;

/// Largest plaintext that fits one record (RFC 8291 §4: 4096 minus tag and delimiter).
pub const MAX_PLAINTEXT: usize = 3993;

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn expand(prk: &hkdf::Prk, info: &[&[u8]], len: usize) -> Result<Vec<u8>, CryptoError> {
    let mut out = vec![0; len];
    prk.expand(info, Len(len))
        .and_then(|okm| okm.fill(&mut out))
        .map_err(fail("HKDF impossible"))?;
    Ok(out)
}

/// The content-encryption key and nonce of RFC 8291 §3.4 / RFC 8188 §2.2.
fn derive(
    ecdh_secret: &[u8],
    auth: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
    let prk_key = hkdf::Salt::new(hkdf::HKDF_SHA256, auth).extract(ecdh_secret);
    let ikm = expand(&prk_key, &[b"WebPush: info\0", ua_public, as_public], 32)?;
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(&ikm);
    let cek = expand(&prk, &[b"Content-Encoding: aes128gcm\0"], 16)?;
    let nonce = expand(&prk, &[b"Content-Encoding: nonce\0"], 12)?;
    Ok((cek, nonce))
}

/// Encrypts `plaintext` for a subscription (`p256dh` = the user agent's public point, `auth` = its
/// 16-byte secret) as one RFC 8291 `aes128gcm` body: header (salt, record size, sender key) + record.
pub fn webpush_encrypt(
    plaintext: &[u8],
    p256dh: &[u8],
    auth: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(CryptoError("message trop long pour Web Push".into()));
    }
    let rng = SystemRandom::new();
    let mut salt = [0_u8; 16];
    rng.fill(&mut salt).map_err(fail("aléa indisponible"))?;
    let private = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng)
        .map_err(fail("clé éphémère impossible"))?;
    let as_public = private
        .compute_public_key()
        .map_err(fail("clé publique éphémère impossible"))?;
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, p256dh);
    let secret = agreement::agree_ephemeral(private, &peer, <[u8]>::to_vec)
        .map_err(fail("clé p256dh inutilisable"))?;
    encrypt_with(plaintext, &secret, auth, p256dh, as_public.as_ref(), &salt)
}

/// The deterministic part of [`webpush_encrypt`] (checked against RFC 8291 Appendix A).
fn encrypt_with(
    plaintext: &[u8],
    ecdh_secret: &[u8],
    auth: &[u8],
    ua_public: &[u8],
    as_public: &[u8],
    salt: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let (cek, nonce) = derive(ecdh_secret, auth, ua_public, as_public, salt)?;
    let mut record = plaintext.to_vec();
    record.push(2); // last-record delimiter, no padding
    seal(&cek, &nonce, &mut record)?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + 65 + record.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(u8::try_from(as_public.len()).map_err(|_| CryptoError("clé".into()))?);
    body.extend_from_slice(as_public);
    body.extend_from_slice(&record);
    Ok(body)
}

fn seal(cek: &[u8], nonce: &[u8], buf: &mut Vec<u8>) -> Result<(), CryptoError> {
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, cek).map_err(fail("clé AES impossible"))?,
    );
    let nonce = aead::Nonce::try_assume_unique_for_key(nonce).map_err(fail("nonce"))?;
    key.seal_in_place_append_tag(nonce, aead::Aad::empty(), buf)
        .map_err(fail("chiffrement impossible"))
}

/// Decrypts an RFC 8291 body with the subscriber's key (what a browser does; used by tests and kept
/// here so both directions live side by side). Consumes the one-shot ECDH key.
pub fn webpush_decrypt(
    body: &[u8],
    ua_private: agreement::EphemeralPrivateKey,
    ua_public: &[u8],
    auth: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let bad = || CryptoError("en-tête aes128gcm invalide".into());
    let salt = body.get(..16).ok_or_else(bad)?;
    let id_len = usize::from(*body.get(20).ok_or_else(bad)?);
    let as_public = body.get(21..21 + id_len).ok_or_else(bad)?;
    let mut record = body.get(21 + id_len..).ok_or_else(bad)?.to_vec();
    let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, as_public);
    let secret = agreement::agree_ephemeral(ua_private, &peer, <[u8]>::to_vec)
        .map_err(fail("clé de l'expéditeur inutilisable"))?;
    let (cek, nonce) = derive(&secret, auth, ua_public, as_public, salt)?;
    let key = aead::LessSafeKey::new(
        aead::UnboundKey::new(&aead::AES_128_GCM, &cek).map_err(fail("clé AES"))?,
    );
    let nonce = aead::Nonce::try_assume_unique_for_key(&nonce).map_err(fail("nonce"))?;
    let plain = key
        .open_in_place(nonce, aead::Aad::empty(), &mut record)
        .map_err(fail("déchiffrement refusé"))?;
    let end = plain
        .iter()
        .rposition(|b| *b != 0)
        .ok_or_else(|| CryptoError("délimiteur absent".into()))?;
    if plain[end] != 2 {
        return Err(CryptoError(
            "délimiteur de dernier enregistrement absent".into(),
        ));
    }
    Ok(plain[..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webpush_round_trip_and_tamper_refused() {
        let rng = SystemRandom::new();
        let ua = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
        let ua_public = ua.compute_public_key().unwrap().as_ref().to_vec();
        let auth = [7_u8; 16];
        let body = webpush_encrypt(b"Bonjour", &ua_public, &auth).unwrap();
        assert_eq!(&body[16..20], &4096_u32.to_be_bytes());
        assert_eq!(body[20], 65);
        let plain = webpush_decrypt(&body, ua, &ua_public, &auth).unwrap();
        assert_eq!(plain, b"Bonjour");

        let ua = agreement::EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
        let ua_public = ua.compute_public_key().unwrap().as_ref().to_vec();
        let mut body = webpush_encrypt(b"Bonjour", &ua_public, &auth).unwrap();
        let last = body.len() - 1;
        body[last] ^= 1;
        assert!(webpush_decrypt(&body, ua, &ua_public, &auth).is_err());
    }

    /// RFC 8291 Appendix A: the exact body of the specification's example.
    #[test]
    fn rfc8291_appendix_a_vector() {
        let d = |s: &str| b64url_decode(s).unwrap();
        let body = encrypt_with(
            &d("V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24"),
            &d("kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"),
            &d("BTBZMqHH6r4Tts7J_aSIgg"),
            &d("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
            &d("BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"),
            &d("DGv6ra1nlYgDCS1FRnbzlw"),
        )
        .unwrap();
        assert_eq!(
            b64url(&body),
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
        );
    }

    #[test]
    fn bad_peer_key_is_an_error_not_a_panic() {
        assert!(webpush_encrypt(b"x", &[4; 65], &[0; 16]).is_err());
        assert!(webpush_encrypt(&[0; MAX_PLAINTEXT + 1], &[4; 65], &[0; 16]).is_err());
    }

    #[test]
    fn es256_jwt_verifies() {
        let rng = SystemRandom::new();
        let der = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = Es256Key::from_pkcs8(der.as_ref()).unwrap();
        let jwt = key
            .jwt(
                &serde_json::json!({"alg": "ES256"}),
                &serde_json::json!({"a": 1}),
            )
            .unwrap();
        let (input, sig) = jwt.rsplit_once('.').unwrap();
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::ECDSA_P256_SHA256_FIXED,
            key.public_key(),
        )
        .verify(input.as_bytes(), &b64url_decode(sig).unwrap())
        .unwrap();
    }

    #[test]
    fn pem_blocks_are_found() {
        let pem = "junk\n-----BEGIN PRIVATE KEY-----\nAAEC\nAw==\n-----END PRIVATE KEY-----\n";
        assert_eq!(pem_der(pem, "PRIVATE KEY").unwrap(), vec![0, 1, 2, 3]);
        assert!(pem_der("nothing", "PRIVATE KEY").is_err());
    }
}
