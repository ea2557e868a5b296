//! `hfs presets`: the Space presets in effect (built in, then the user's, which win).

use crate::cli::GlobalArgs;
use crate::exit::CliError;
use crate::printer::Printer;
use crate::table;

pub async fn run(_global: &GlobalArgs, p: &Printer) -> Result<(), CliError> {
    let presets = crate::env::presets(p);
    if p.json() {
        p.doc(&hfs_schema::PresetsDoc {
            schema: hfs_schema::PresetsDoc::SCHEMA.into(),
            dir: crate::env::presets_dir(),
            presets: presets.list.iter().map(|pr| serde_json::to_value(pr).unwrap_or_default()).collect(),
        });
        return Ok(());
    }
    let mut t = table::new(&["SPACE", "TASK", "ENDPOINT", "ROLES", "FROM"]);
    for pr in &presets.list {
        let roles: Vec<String> = pr.roles.iter().map(|(r, n)| format!("{r}={n}")).collect();
        t.add_row(vec![pr.space.clone(), pr.task.as_str().into(), pr.endpoint.clone(), roles.join(" "), pr.origin.clone()]);
    }
    table::print(p, &t);
    if let Some(dir) = crate::env::presets_dir() {
        p.status(&format!("your presets: {}/*.toml (format: see the README)", dir.display()));
    }
    Ok(())
}
