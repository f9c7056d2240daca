//! What the clients count: each client keeps its own [`Tally`] (no sharing on the hot path),
//! merged once at the end of a phase.

use hdrhistogram::Histogram;
use serde::Serialize;

/// Latencies are recorded in microseconds, up to a minute, with 3 significant digits.
#[expect(
    clippy::expect_used,
    reason = "constant bounds that hdrhistogram accepts: 1 ≤ low, high ≥ 2·low, sigfig ≤ 5"
)]
fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

#[derive(Debug, Clone)]
pub struct Tally {
    /// From a client sending an edit to another room member receiving it.
    pub fanout: Histogram<u64>,
    /// From the facilitator sending `reveal` to another room member receiving the result.
    pub reveal: Histogram<u64>,
    /// From the start of the join to the `welcome` (with the room's snapshot).
    pub join: Histogram<u64>,
    pub commands: u64,
    pub events: u64,
    /// Edit events received from others while measuring, and their bytes (the frame's text,
    /// without the WebSocket header).
    pub edit_events: u64,
    pub edit_bytes: u64,
    pub errors: u64,
    pub disconnects: u64,
    /// The first few error frames, to say what went wrong.
    pub error_samples: Vec<String>,
}

const ERROR_SAMPLES: usize = 5;

impl Default for Tally {
    fn default() -> Self {
        Self {
            fanout: histogram(),
            reveal: histogram(),
            join: histogram(),
            commands: 0,
            events: 0,
            edit_events: 0,
            edit_bytes: 0,
            errors: 0,
            disconnects: 0,
            error_samples: Vec::new(),
        }
    }
}

impl Tally {
    pub fn error(&mut self, what: &str) {
        self.errors += 1;
        if self.error_samples.len() < ERROR_SAMPLES {
            self.error_samples.push(what.chars().take(300).collect());
        }
    }

    pub fn merge(&mut self, other: &Self) {
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = self.fanout.add(&other.fanout);
        let _ = self.reveal.add(&other.reveal);
        let _ = self.join.add(&other.join);
        self.commands += other.commands;
        self.events += other.events;
        self.edit_events += other.edit_events;
        self.edit_bytes += other.edit_bytes;
        self.errors += other.errors;
        self.disconnects += other.disconnects;
        for sample in &other.error_samples {
            if self.error_samples.len() < ERROR_SAMPLES {
                self.error_samples.push(sample.clone());
            }
        }
    }
}

pub fn record(histogram: &mut Histogram<u64>, micros: u64) {
    // Values beyond the histogram's range are clamped, not dropped.
    histogram.saturating_record(micros.max(1));
}

/// Percentiles of a latency histogram, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    pub count: u64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    pub fn of(histogram: &Histogram<u64>) -> Option<Self> {
        if histogram.is_empty() {
            return None;
        }
        let ms = |micros: u64| micros as f64 / 1000.0;
        Some(Self {
            count: histogram.len(),
            p50_ms: ms(histogram.value_at_quantile(0.50)),
            p90_ms: ms(histogram.value_at_quantile(0.90)),
            p99_ms: ms(histogram.value_at_quantile(0.99)),
            p999_ms: ms(histogram.value_at_quantile(0.999)),
            max_ms: ms(histogram.max()),
        })
    }
}
