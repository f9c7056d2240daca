//! Secret tokens. A room keeps only their digests (SHA-256): a copy of the database, or of its
//! log, lets nobody into a room. Tokens are 128 random bits, so an unkeyed digest is enough.
//!
//! The shell digests every token a client presents ([`shield`]) before the core sees it, and
//! so before it is logged; tokens for new participants are minted by the shell too, from the
//! OS's randomness, never from a logged seed. Inputs logged before digests were kept carry
//! tokens as they were: the core digests those itself on replay ([`digest`]).

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What every digest starts with, and no token does.
const PREFIX: &str = "sha256:";

/// A presented token made safe to log: always digested, even one that looks like a digest (a
/// client must not get in with a digest read from a stolen database).
#[must_use]
pub fn shield(token: &str) -> String {
    let hash = Sha256::digest(token.as_bytes());
    format!("{PREFIX}{}", super::hex(&hash))
}

/// The digest of a token as the core receives it: shielded by the shell already, or (from an
/// old log) as the client sent it.
#[must_use]
pub fn digest(token: &str) -> String {
    if token.starts_with(PREFIX) {
        token.to_owned()
    } else {
        shield(token)
    }
}

/// Whether `presented` is the token `stored` is the digest of, in constant time.
#[must_use]
pub fn matches(presented: &str, stored: &str) -> bool {
    digest(presented).as_bytes().ct_eq(stored.as_bytes()).into()
}

/// Whether a stored token is a digest (rooms stored before digests were kept hold tokens).
#[must_use]
pub fn is_digest(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_not_a_key() {
        let token = "9f86d081884c7d659a2feaa0c55ad015";
        let stored = shield(token);
        assert!(is_digest(&stored));
        assert!(matches(token, &stored));
        assert!(
            matches(&stored, &stored),
            "the shell's shielded form passes through"
        );
        // A client presenting the stored digest is shielded again, and fails.
        assert!(!matches(&shield(&stored), &stored));
        assert!(!matches("9f86d081884c7d659a2feaa0c55ad016", &stored));
    }
}
