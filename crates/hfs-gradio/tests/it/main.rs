//! Integration tests of hfs-gradio against real Gradio servers (every pinned version).
//!
//! Each check runs once per Gradio version (`support::per_version!`); the apps of one version are
//! served by one shared `tests/spaces/serve.py` process (`hfs_testkit::shared_spaces`). Restrict
//! the versions with `HFS_GRADIO_VERSIONS="6.31.0 4.5.0"`. Comments name the gradio_client
//! (`test_client.py`) or @gradio/client check each test ports (docs/protocol/gradio.md#upstream-test-scenarios).

mod support;

mod auth;
mod calls;
mod cancel;
mod connect;
mod errors;
mod files;
mod headers;
mod legacy;
mod legacy_hostile;
mod queue;
mod space_id;
mod stopped;
mod streaming;
