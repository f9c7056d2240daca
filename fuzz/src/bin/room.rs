//! `cargo afl fuzz` target: scripts of commands for the room core (see `readyroom_fuzz::room`).
fn main() {
    afl::fuzz!(|data: &[u8]| readyroom_fuzz::room(data));
}
