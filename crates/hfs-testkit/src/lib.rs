//! Test harness shared by every hfs crate: real Gradio servers of pinned versions (from the venvs
//! `scripts/setup-test-env` creates), and the fake Hub. Every server started here is stopped: by
//! `Drop`, and — for servers shared by a whole test binary — by the server itself when the test
//! process exits and its stdin closes.

mod cassettes;
mod fakehub;
pub mod hostile;
mod http;
mod spaces;
mod versions;

pub use cassettes::{cassettes_dir, recorded_body};
pub use fakehub::FakeHub;
pub use http::{HttpReply, http_request};
pub use spaces::{
    MCP_CLIENT_VERSION, SpaceServer, free_port, mcp_python, python_for, repo_root, shared_batch_space, shared_gen_spaces, shared_mcp_space,
    shared_spaces, venv_root,
};
pub use versions::{GRADIO_VERSIONS, GradioVersion, gradio_versions};

/// sha256 of a file, hex, by `sha256sum` (an implementation independent of the one under test).
pub fn sha256_hex(path: &std::path::Path) -> String {
    let out = std::process::Command::new("sha256sum").arg(path).stdin(std::process::Stdio::null()).output().expect("sha256sum");
    assert!(out.status.success(), "sha256sum {}", path.display());
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}
