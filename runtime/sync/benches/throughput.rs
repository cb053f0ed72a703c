//! Records per second through source -> sink with the in-memory implementations, and the
//! per-batch overhead of checkpointing (in-memory store).
#![allow(missing_docs)]

fn main() {}
