//! `cargo afl fuzz` target: tracker CSV files (see `readyroom_fuzz::csv`).
fn main() {
    afl::fuzz!(|data: &[u8]| readyroom_fuzz::csv(data));
}
