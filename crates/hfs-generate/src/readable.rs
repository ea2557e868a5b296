//! Which local files a generation may read and upload, for front ends that take paths from
//! someone they do not fully trust (an agent over MCP).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::GenError;

/// Directories under which files may be read. Paths are compared after resolving symlinks and
/// `..`, so `allowed/../../etc/passwd` and a symlink out of `allowed` are both refused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Readable {
    roots: Vec<PathBuf>,
}

impl Readable {
    /// The given directories (those that do not exist are dropped: nothing is under them).
    pub fn new(dirs: impl IntoIterator<Item = PathBuf>) -> Readable {
        let mut roots: Vec<PathBuf> = dirs.into_iter().filter_map(|d| std::fs::canonicalize(d).ok()).collect();
        roots.sort();
        roots.dedup();
        Readable { roots }
    }

    /// These directories and `more` (the client's roots, say).
    pub fn and(&self, more: impl IntoIterator<Item = PathBuf>) -> Readable {
        let mut roots = self.roots.clone();
        roots.extend(Readable::new(more).roots);
        roots.sort();
        roots.dedup();
        Readable { roots }
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Whether `path` (made absolute from the working directory) is a file under a root.
    pub fn allows(&self, path: &Path) -> bool {
        match std::fs::canonicalize(path) {
            Ok(real) => self.roots.iter().any(|r| real.starts_with(r)),
            Err(_) => false,
        }
    }

    /// [`Readable::allows`], or the error that names the file and the allowed directories.
    pub fn check(&self, path: &Path) -> Result<(), GenError> {
        if self.allows(path) {
            return Ok(());
        }
        Err(GenError::NotReadable {
            path: path.display().to_string(),
            allowed: self.roots.iter().map(|r| r.display().to_string()).collect(),
        })
    }
}

/// Every local file an argument map would upload (the `_hfs_file: local` markers that coercion
/// leaves for `@path`, a path given to a file parameter, or an input image or audio).
pub(crate) fn local_files(args: &Map<String, Value>) -> Vec<PathBuf> {
    fn walk(v: &Value, out: &mut Vec<PathBuf>) {
        match v {
            Value::Object(m) => {
                if m.get(hfs_gradio::FILE_MARKER).and_then(Value::as_str) == Some("local")
                    && let Some(p) = m.get("path").and_then(Value::as_str)
                {
                    out.push(PathBuf::from(p));
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    args.values().for_each(|v| walk(v, &mut out));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_under_a_root_only() {
        let t = tempfile::tempdir().unwrap();
        let inside = t.path().join("in");
        std::fs::create_dir(&inside).unwrap();
        std::fs::write(inside.join("a.png"), b"x").unwrap();
        std::fs::write(t.path().join("secret"), b"x").unwrap();
        let r = Readable::new([inside.clone()]);
        assert!(r.allows(&inside.join("a.png")));
        assert!(!r.allows(&t.path().join("secret")));
        assert!(!r.allows(&inside.join("../secret")), "`..` out of the root");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(t.path().join("secret"), inside.join("link")).unwrap();
            assert!(!r.allows(&inside.join("link")), "a symlink out of the root");
        }
        assert!(!r.allows(&inside.join("missing")));
        let e = r.check(&t.path().join("secret")).unwrap_err();
        assert!(matches!(e, GenError::NotReadable { .. }), "{e}");
        assert!(!Readable::new([]).allows(&inside.join("a.png")), "no roots, nothing readable");
        assert!(Readable::new([]).and([inside.clone()]).allows(&inside.join("a.png")), "roots added later count");
    }

    #[test]
    fn markers_are_found_at_any_depth() {
        let args: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "a": {"_hfs_file": "local", "path": "/x/1"},
            "b": [{"_hfs_file": "local", "path": "/x/2"}, {"_hfs_file": "url", "url": "https://e/f"}],
            "c": "/x/3",
        }))
        .unwrap();
        assert_eq!(local_files(&args), [PathBuf::from("/x/1"), PathBuf::from("/x/2")]);
    }
}
