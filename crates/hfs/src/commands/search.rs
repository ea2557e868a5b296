//! `hfs search spaces|models`.

use hfs_hub::SpaceSearch;
use hfs_schema::{SearchModelsDoc, SearchSpacesDoc};

use crate::cli::{GlobalArgs, SearchCommand};
use crate::env;
use crate::exit::CliError;
use crate::printer::Printer;
use crate::table::{self, cut};

pub async fn run(global: &GlobalArgs, p: &Printer, cmd: &SearchCommand) -> Result<(), CliError> {
    let (hub, _) = env::hub_client(global.token.as_deref(), p).await?;
    match cmd {
        SearchCommand::Spaces { query, category, all, limit } => {
            if query.is_none() && category.is_none() {
                return Err(CliError::Usage("give a query or --category SLUG".into()));
            }
            if let Some(c) = category.as_deref().filter(|c| !hfs_hub::SPACE_CATEGORIES.contains(c)) {
                return Err(CliError::Usage(format!("unknown category `{c}`; use one of: {}", hfs_hub::SPACE_CATEGORIES.join(", "))));
            }
            let q = SpaceSearch { query: query.clone(), category: category.clone(), include_non_running: *all, limit: Some(*limit) };
            let hits = hub.search_spaces(&q).await.map_err(CliError::Hub)?;
            if p.json() {
                let spaces = hits.into_iter().map(hfs_hub::SpaceHit::doc).collect();
                p.doc(&SearchSpacesDoc { schema: SearchSpacesDoc::SCHEMA.into(), spaces });
                return Ok(());
            }
            if hits.is_empty() {
                p.out(&format!("No Spaces found{}.\n", if *all { "" } else { " (running only; --all includes the others)" }));
                return Ok(());
            }
            let mut t = table::new(&["SPACE", "TITLE", "DESCRIPTION", "LIKES", "STAGE", "HARDWARE"]);
            for h in &hits {
                t.add_row(vec![
                    h.id.clone(),
                    cut(h.title.as_deref().unwrap_or(""), 30),
                    cut(h.description.as_deref().unwrap_or(""), 60),
                    h.likes.unwrap_or(0).to_string(),
                    h.stage.clone().unwrap_or_default(),
                    h.hardware.clone().unwrap_or_default(),
                ]);
            }
            table::print(p, &t);
        }
        SearchCommand::Models { query, task, provider, limit } => {
            let models = hub.list_models(Some(task), provider, query.as_deref(), *limit).await.map_err(CliError::Hub)?;
            if p.json() {
                let models = models.into_iter().map(hfs_hub::ModelHit::doc).collect();
                p.doc(&SearchModelsDoc { schema: SearchModelsDoc::SCHEMA.into(), task: task.clone(), models });
                return Ok(());
            }
            if models.is_empty() {
                p.out(&format!("No {task} models served by {provider}.\n"));
                return Ok(());
            }
            let mut t = table::new(&["MODEL", "PROVIDERS", "LIKES"]);
            for m in &models {
                let providers: Vec<String> = m
                    .providers
                    .iter()
                    .map(|e| match e.status.as_deref() {
                        Some("live") | None => e.provider.clone(),
                        Some(s) => format!("{} ({s})", e.provider),
                    })
                    .collect();
                t.add_row(vec![m.id.clone(), providers.join(", "), m.likes.unwrap_or(0).to_string()]);
            }
            table::print(p, &t);
        }
    }
    Ok(())
}
