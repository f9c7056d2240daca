//! The Ready Room server library. `main.rs` only parses arguments and calls [`run`].

pub mod room;
