//! Rate limits: per connection (messages) and per client address (room creation).

use std::net::IpAddr;

use dashmap::DashMap;
use tokio::time::Instant;

/// Allows `burst` messages at once and `per_second` on average.
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
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.burst);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether the bucket is full again (nothing to remember about its client).
    fn is_full(&self) -> bool {
        let elapsed = Instant::now().duration_since(self.last).as_secs_f64();
        self.tokens + elapsed * self.per_second >= self.burst
    }
}

/// One bucket per client address.
#[derive(Debug)]
pub struct PerAddress {
    buckets: DashMap<IpAddr, TokenBucket>,
    burst: u32,
    per_second: f64,
}

/// Addresses remembered before full buckets are forgotten.
const PRUNE_ABOVE: usize = 10_000;

impl PerAddress {
    pub fn new(burst: u32, per_minute: u32) -> Self {
        Self {
            buckets: DashMap::new(),
            burst,
            per_second: f64::from(per_minute) / 60.0,
        }
    }

    pub fn take(&self, address: IpAddr) -> bool {
        if self.buckets.len() > PRUNE_ABOVE {
            self.buckets.retain(|_, bucket| !bucket.is_full());
        }
        self.buckets
            .entry(address)
            .or_insert_with(|| TokenBucket::new(self.burst, self.per_second))
            .take()
    }
}
