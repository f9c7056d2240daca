//! Rate limits: per connection (messages and control frames), per room (bytes stored) and
//! per client address (room creation, joins).

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use crate::client_addr::AddressKey;

/// Allows `burst` at once and `per_second` on average. Follows tokio's clock, so tests can
/// pause time.
#[derive(Debug)]
pub struct TokenBucket {
    tokens: f64,
    burst: f64,
    per_second: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(burst: u32, per_second: f64) -> Self {
        Self {
            tokens: f64::from(burst),
            burst: f64::from(burst),
            per_second,
            last: Instant::now(),
        }
    }

    pub fn take(&mut self) -> bool {
        self.take_n(1.0)
    }

    /// Takes `cost` tokens at once (bytes, for a byte budget), or none.
    pub fn take_n(&mut self, cost: f64) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        if self.tokens >= cost {
            self.tokens -= cost;
            true
        } else {
            false
        }
    }
}

/// A rate per client address (room creations, joins). governor's keyed limiter: a check is
/// one lock-free update, and forgetting quiet addresses is a periodic sweep ([`Self::prune`]),
/// not work on the request path.
#[derive(Debug)]
pub struct PerAddress {
    limiter: DefaultKeyedRateLimiter<AddressKey>,
}

impl PerAddress {
    /// `burst` at once, then `per_minute` (both at least 1).
    pub fn new(burst: u32, per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
        }
    }

    pub fn take(&self, address: AddressKey) -> bool {
        self.limiter.check_key(&address).is_ok()
    }

    /// Forgets addresses whose allowance is whole again.
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}
