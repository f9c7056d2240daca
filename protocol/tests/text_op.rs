//! Properties of text operations on random Unicode text: transform converges (TP1), compose is
//! applying one after the other, invert undoes, and the wire form round-trips. Seeded and
//! deterministic; `READYROOM_TEXT_OP_CASES` runs more cases.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng};
use readyroom_protocol::TextOp;

/// Reproducible cases: a generator seeded per property.
struct Rng(StdRng);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(StdRng::seed_from_u64(seed))
    }

    /// A number below `n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.0.random_range(0..n) }
    }
}

/// Letters, an emoji, a combining mark, CJK, a line break: what breaks byte or UTF-16 counting.
const ALPHABET: &[&str] = &["a", "b", "é", "e\u{301}", "😀", "漢", "字", "\n", " "];

fn text(rng: &mut Rng, max: u64) -> String {
    (0..rng.below(max + 1))
        .map(|_| ALPHABET[usize::try_from(rng.below(ALPHABET.len() as u64)).unwrap()])
        .collect()
}

fn op_on(rng: &mut Rng, base: &str) -> TextOp {
    let len = base.chars().count() as u64;
    let mut op = TextOp::new();
    let mut at = 0;
    while at < len {
        let n = 1 + rng.below(len - at);
        op = match rng.below(3) {
            0 => op.retain(n),
            1 => op.delete(n),
            _ => op.insert(&text(rng, 3)).retain(n),
        };
        at += n;
    }
    if rng.below(2) == 0 {
        op = op.insert(&text(rng, 3));
    }
    op
}

fn cases() -> u64 {
    std::env::var("READYROOM_TEXT_OP_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000)
}

#[test]
fn concurrent_operations_converge() {
    let mut rng = Rng::new(1);
    for case in 0..cases() {
        let base = text(&mut rng, 12);
        let a = op_on(&mut rng, &base);
        let b = op_on(&mut rng, &base);
        let (a2, b2) = TextOp::transform(&a, &b).unwrap();
        let one = b2.apply(&a.apply(&base).unwrap()).unwrap();
        let other = a2.apply(&b.apply(&base).unwrap()).unwrap();
        assert_eq!(one, other, "case {case}: {base:?} {a:?} {b:?}");
    }
}

#[test]
fn composing_is_applying_one_after_the_other() {
    let mut rng = Rng::new(2);
    for case in 0..cases() {
        let base = text(&mut rng, 12);
        let a = op_on(&mut rng, &base);
        let middle = a.apply(&base).unwrap();
        assert_eq!(middle.chars().count() as u64, a.target_len());
        let b = op_on(&mut rng, &middle);
        let composed = a.compose(&b).unwrap();
        assert_eq!(
            composed.apply(&base).unwrap(),
            b.apply(&middle).unwrap(),
            "case {case}: {base:?} {a:?} {b:?}"
        );
    }
}

#[test]
fn inverting_undoes() {
    let mut rng = Rng::new(3);
    for case in 0..cases() {
        let base = text(&mut rng, 12);
        let a = op_on(&mut rng, &base);
        let after = a.apply(&base).unwrap();
        assert_eq!(a.invert(&base).apply(&after).unwrap(), base, "case {case}");
    }
}

#[test]
fn the_wire_form_round_trips() {
    let mut rng = Rng::new(4);
    for _ in 0..cases() {
        let base = text(&mut rng, 12);
        let a = op_on(&mut rng, &base);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<TextOp>(&json).unwrap(), a, "{json}");
    }
}
