//! `cargo afl fuzz` target: client frames (see `readyroom_fuzz::frames`).
fn main() {
    afl::fuzz!(|data: &[u8]| readyroom_fuzz::frames(data));
}
