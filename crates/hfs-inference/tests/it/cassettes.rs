//! Recorded bodies, read from the cassettes by the shared harness.

pub use hfs_testkit::recorded_body as response_body;
