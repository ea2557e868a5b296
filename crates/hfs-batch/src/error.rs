use std::path::PathBuf;

/// What can stop a run from starting (failures of single items are recorded, not raised).
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("{0}")]
    Usage(String),
    #[error("prompts file, line {line}: {message}")]
    Prompts { line: usize, message: String },
    #[error("another hfs process is running the batch in `{}` (one process at a time holds a run): wait for it to end, or stop it first", .dir.display())]
    Busy { dir: PathBuf },
    #[error("`{}` is damaged at line {line}: {message}", .path.display())]
    Corrupt { path: PathBuf, line: usize, message: String },
    #[error("`{}` has no planned items to resume", .dir.display())]
    NothingPlanned { dir: PathBuf },
    #[error("cannot use `{}`: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Generate(#[from] hfs_generate::GenError),
}

impl BatchError {
    pub fn class(&self) -> hfs_core::ErrorClass {
        match self {
            BatchError::Usage(_) | BatchError::Prompts { .. } | BatchError::Busy { .. } | BatchError::NothingPlanned { .. } => {
                hfs_core::ErrorClass::Usage
            }
            BatchError::Corrupt { .. } | BatchError::Io { .. } => hfs_core::ErrorClass::LocalIo,
            BatchError::Generate(e) => e.class(),
        }
    }
}
