//! How a receiver knows a request came from this room: `ReadyRoom-Signature: t=<unix
//! seconds>,v1=<hex>`, where the hex is HMAC-SHA256 under the webhook's secret of
//! `<t>.<body>`. Signing the time with the body lets a receiver refuse an old request
//! replayed at it; the scheme is Stripe's, which receivers' libraries already know.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header's name.
pub const HEADER: &str = "readyroom-signature";

/// The header's value for `body` sent at `unix_seconds`.
#[must_use]
pub fn sign(secret: &str, unix_seconds: u64, body: &str) -> String {
    format!(
        "t={unix_seconds},v1={}",
        crate::room::hex(&mac(secret, unix_seconds, body))
    )
}

fn mac(secret: &str, unix_seconds: u64, body: &str) -> Vec<u8> {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(unix_seconds.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_an_independent_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let body = "do ya want for nothing?";
        let signed = sign("Jefe", 0, body);
        assert!(signed.starts_with("t=0,v1="));
        // The signed message is "0." + body, so check against HMAC of that directly.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0.do ya want for nothing?");
        let expected = crate::room::hex(&mac.finalize().into_bytes());
        assert_eq!(signed, format!("t=0,v1={expected}"));
        assert_ne!(sign("Jefe", 1, body), signed, "the time is signed");
        assert_ne!(sign("jefe", 0, body), signed, "the secret matters");
    }
}
