//! Integration tests of the `hfs` binary: the real executable against real Gradio servers of
//! every pinned version (`tests/spaces/`, started once per version for this whole test binary by
//! `hfs_testkit::shared_spaces`) and, for Space ids, the fake Hub.
//!
//! Each check runs once per Gradio version (`support::per_version!`); version-independent ones
//! once (`support::any_version!`). Restrict versions with `HFS_GRADIO_VERSIONS="6.31.0 4.5.0"`.
//! Comments name the gradio_client checks each test ports (docs/protocol/gradio.md#upstream-test-scenarios).
//!
//!     cargo test -p hfs --test it

mod support;

mod api;
mod auth;
mod batch;
mod call;
mod discovery;
mod errors;
mod files;
mod gallery;
mod generate;
mod help;
mod hostile;
mod hub_errors;
mod inference;
mod legacy3;
mod lifecycle;
mod mcp;
mod pipeline;
mod space_id;
mod token;
