//! The Gradio versions every suite runs against, listed once, and the per-version test macro.
//!
//! ```ignore
//! // In a test crate's support module:
//! macro_rules! per_version {
//!     ($($check:ident),+ $(,)?) => { hfs_testkit::per_gradio_version!(sync $crate::support::run; $($check),+); };
//! }
//! ```

use crate::SpaceServer;

/// Calls `$m!` with the version list: `("6.31.0" gradio_6_31_0) …`. The single source of the
/// pinned versions (protocols sse_v3, sse_v3, sse_v3, sse_v2, sse_v1, sse).
#[doc(hidden)]
#[macro_export]
macro_rules! __gradio_version_list {
    ($m:ident ! [$($args:tt)*]) => {
        $crate::$m! { [$($args)*] ("6.31.0" gradio_6_31_0) ("5.50.0" gradio_5_50_0) ("4.44.1" gradio_4_44_1)
        ("4.20.0" gradio_4_20_0) ("4.16.0" gradio_4_16_0) ("4.5.0" gradio_4_5_0) }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __gradio_version_items {
    ([const] $(($v:literal $n:ident))*) => {
        /// Every Gradio version the suite runs against.
        pub const GRADIO_VERSIONS: &[&str] = &[$($v),*];
    };
    ([sync $run:path, $check:ident] $(($v:literal $n:ident))*) => {
        $( #[test] fn $n() { $run($v, super::$check) } )*
    };
    ([async $run:path, $check:ident] $(($v:literal $n:ident))*) => {
        $( #[tokio::test(flavor = "multi_thread")] async fn $n() { $run($v, super::$check).await } )*
    };
}

/// Expands each check into a module of the same name with one test per pinned Gradio version,
/// each calling `run(version, check)` (`sync`: `#[test]`; `async`: a multi-threaded tokio test).
#[macro_export]
macro_rules! per_gradio_version {
    (sync $run:path; $($check:ident),+ $(,)?) => {$(
        mod $check { $crate::__gradio_version_list!(__gradio_version_items ! [sync $run, $check]); }
    )+};
    (async $run:path; $($check:ident),+ $(,)?) => {$(
        mod $check { $crate::__gradio_version_list!(__gradio_version_items ! [async $run, $check]); }
    )+};
}

__gradio_version_list!(__gradio_version_items![const]);

/// The versions to test: `HFS_GRADIO_VERSIONS` (space-separated) or all of them.
pub fn gradio_versions() -> Vec<String> {
    match std::env::var("HFS_GRADIO_VERSIONS") {
        Ok(v) if !v.trim().is_empty() => v.split_whitespace().map(str::to_string).collect(),
        _ => GRADIO_VERSIONS.iter().map(|s| s.to_string()).collect(),
    }
}

/// What a per-version check gets: the version under test and its shared test Spaces.
#[derive(Clone, Copy)]
pub struct GradioVersion {
    pub version: &'static str,
    pub spaces: &'static SpaceServer,
    pub major: u64,
    pub minor: u64,
}

impl GradioVersion {
    /// The version's shared Spaces (started on first use), or `None` (with a note on stderr) when
    /// `HFS_GRADIO_VERSIONS` does not select it. Blocks while the servers start.
    pub fn selected(version: &'static str) -> Option<GradioVersion> {
        if !gradio_versions().iter().any(|v| v == version) {
            eprintln!("skipped: gradio {version} is not in HFS_GRADIO_VERSIONS");
            return None;
        }
        let spaces = crate::shared_spaces(version);
        let mut parts = version.split('.').map(|p| p.parse::<u64>().expect("numeric version"));
        Some(GradioVersion { version, spaces, major: parts.next().unwrap_or(0), minor: parts.next().unwrap_or(0) })
    }

    /// The first selected version (for checks that do not depend on it).
    pub fn first() -> &'static str {
        let first = gradio_versions().into_iter().next().expect("HFS_GRADIO_VERSIONS is empty");
        Box::leak(first.into_boxed_str())
    }

    /// Whether the server is at least `major.minor`.
    pub fn at_least(&self, major: u64, minor: u64) -> bool {
        (self.major, self.minor) >= (major, minor)
    }

    /// `/info` gives `parameter_name` and defaults (4.23+; of the pinned versions 4.44.1, 5.50.0,
    /// 6.31.0): keyword arguments work. Older servers take positional arguments only.
    pub fn has_param_names(&self) -> bool {
        self.at_least(4, 23)
    }

    /// Position of this version in the pinned list (to make inputs differ per version).
    pub fn salt(&self) -> usize {
        GRADIO_VERSIONS.iter().position(|x| *x == self.version).unwrap_or(0)
    }

    /// The URL of one of the shared test apps.
    pub fn url(&self, app: &str) -> String {
        self.spaces.url(app).to_string()
    }
}
