//! `hfs search spaces|models`.

use hfs_hub::SpaceSearch;
use serde_json::json;

use crate::cli::{GlobalArgs, SearchCommand};
use crate::env;
use crate::exit::CliError;
use crate::table::{self, cut};

const CATEGORIES: &[&str] = &[
    "image-generation",
    "video-generation",
    "text-generation",
    "speech-synthesis",
    "music-generation",
    "voice-cloning",
    "image-editing",
    "background-removal",
    "image-upscaling",
    "ocr",
    "style-transfer",
    "image-captioning",
];

pub async fn run(global: &GlobalArgs, cmd: &SearchCommand) -> Result<(), CliError> {
    let (hub, _) = env::hub_client(global.token.as_deref()).await?;
    match cmd {
        SearchCommand::Spaces { query, category, all, limit, json } => {
            if query.is_none() && category.is_none() {
                return Err(CliError::Usage("give a query or --category SLUG".into()));
            }
            if let Some(c) = category.as_deref().filter(|c| !CATEGORIES.contains(c)) {
                return Err(CliError::Usage(format!("unknown category `{c}`; use one of: {}", CATEGORIES.join(", "))));
            }
            let q = SpaceSearch { query: query.clone(), category: category.clone(), include_non_running: *all, limit: Some(*limit) };
            let hits = hub.search_spaces(&q).await.map_err(CliError::Hub)?;
            if json.json {
                let items: Vec<_> = hits
                    .iter()
                    .map(|h| {
                        json!({"id": h.id, "title": h.title, "description": h.description, "likes": h.likes,
                                    "stage": h.stage, "hardware": h.hardware, "category": h.category})
                    })
                    .collect();
                println!("{}", json!({"schema": "hfs.search.spaces/1", "spaces": items}));
                return Ok(());
            }
            if hits.is_empty() {
                println!("No Spaces found{}.", if *all { "" } else { " (running only; --all includes the others)" });
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
            crate::table::print(&t);
        }
        SearchCommand::Models { query, task, provider, limit, json } => {
            let models = hub.list_models(Some(task), provider, query.as_deref(), *limit).await.map_err(CliError::Hub)?;
            if json.json {
                let items: Vec<_> = models
                    .iter()
                    .map(|m| json!({"id": m.id, "pipeline_tag": m.pipeline_tag, "likes": m.likes, "downloads": m.downloads,
                                    "providers": m.providers.iter().map(|p| json!({"provider": p.provider, "status": p.status, "provider_id": p.provider_id, "task": p.task})).collect::<Vec<_>>()}))
                    .collect();
                println!("{}", json!({"schema": "hfs.search.models/1", "task": task, "models": items}));
                return Ok(());
            }
            if models.is_empty() {
                println!("No {task} models served by {provider}.");
                return Ok(());
            }
            let mut t = table::new(&["MODEL", "PROVIDERS", "LIKES"]);
            for m in &models {
                let providers: Vec<String> = m
                    .providers
                    .iter()
                    .map(|p| match p.status.as_deref() {
                        Some("live") | None => p.provider.clone(),
                        Some(s) => format!("{} ({s})", p.provider),
                    })
                    .collect();
                t.add_row(vec![m.id.clone(), providers.join(", "), m.likes.unwrap_or(0).to_string()]);
            }
            crate::table::print(&t);
        }
    }
    Ok(())
}
