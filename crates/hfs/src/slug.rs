//! Output names: the shared slug of `hfs-core`.

pub use hfs_core::naming::slug;
