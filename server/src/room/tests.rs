//! Unit tests of the room core.
