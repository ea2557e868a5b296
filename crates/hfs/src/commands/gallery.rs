//! `hfs gallery DIR [--open]`: the run's page (`hfs-gallery`), its path on stdout.

use std::path::Path;

use crate::cli::GalleryArgs;
use crate::exit::CliError;
use crate::printer::Printer;

pub fn run(p: &Printer, args: &GalleryArgs) -> Result<(), CliError> {
    let page = write(p, &args.dir)?;
    if args.open {
        open(p, &page);
    }
    Ok(())
}

/// Writes the gallery of `dir` and prints where it is (the page's path on stdout, or
/// `hfs.gallery/1` with `--json`).
pub fn write(p: &Printer, dir: &Path) -> Result<std::path::PathBuf, CliError> {
    let page = hfs_gallery::write(dir).map_err(CliError::Gallery)?;
    if p.json() {
        p.doc(&hfs_schema::GalleryDoc { schema: hfs_schema::GalleryDoc::SCHEMA.into(), page: page.clone() });
    } else {
        p.out(&format!("{}\n", page.display()));
    }
    Ok(page)
}

/// The default browser, as the desktop knows it (`xdg-open`, `open` on macOS).
fn open(p: &Printer, page: &Path) {
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    match std::process::Command::new(opener).arg(page).stdin(std::process::Stdio::null()).spawn() {
        Ok(_) => {}
        Err(e) => p.warn(&format!("cannot open a browser ({opener}: {e}); open {} yourself", page.display())),
    }
}
