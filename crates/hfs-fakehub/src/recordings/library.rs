//! The cassettes of a fixtures folder, each parsed on first need (see
//! `prescan` for why not all at start-up).

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use tokio::sync::OnceCell;

use super::cassette::{self, Interaction};
use super::{choose, prescan};
use crate::origin::Origin;
use crate::query::Params;

#[derive(Debug, Default)]
pub struct Library {
    /// In file-name order: ties between identical recordings go to the first.
    cassettes: Vec<Cassette>,
    asset_hosts: BTreeSet<String>,
}

#[derive(Debug)]
struct Cassette {
    path: PathBuf,
    /// `None`: unknown, so it is parsed for every lookup.
    routes: Option<HashSet<(Origin, String)>>,
    parsed: OnceCell<Result<Vec<Interaction>, String>>,
}

impl Cassette {
    fn may_have(&self, origin: Origin, path: &str) -> bool {
        self.routes.as_ref().is_none_or(|r| r.contains(&(origin, path.to_string())))
    }

    async fn interactions(&self) -> Result<&[Interaction], String> {
        let parsed = self
            .parsed
            .get_or_init(|| async {
                let path = self.path.clone();
                tokio::task::spawn_blocking(move || cassette::load(&path).map_err(|e| format!("cassette {}: {e:#}", path.display())))
                    .await
                    .unwrap_or_else(|e| Err(format!("cassette parser panicked: {e}")))
            })
            .await;
        parsed.as_deref().map_err(String::clone)
    }
}

impl Library {
    /// `dir` is the `hf-cassettes/` folder; `None` means no recordings.
    pub fn open(dir: Option<&Path>) -> anyhow::Result<Library> {
        let Some(dir) = dir else {
            return Ok(Library::default());
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        files.sort();
        let mut library = Library::default();
        for path in files {
            let scanned = prescan::scan(&path);
            let routes = scanned.map(|s| {
                library.asset_hosts.extend(s.asset_hosts);
                s.routes
            });
            library.cassettes.push(Cassette { path, routes, parsed: OnceCell::new() });
        }
        Ok(library)
    }

    /// Hosts recorded on the assets listener.
    pub fn asset_hosts(&self) -> &BTreeSet<String> {
        &self.asset_hosts
    }

    /// The recording that answers this request, if any; an error when a
    /// cassette that may hold it cannot be parsed.
    pub async fn find(
        &self,
        origin: Origin,
        method: &str,
        path: &str,
        query: &Params,
        body: &[u8],
    ) -> Result<Option<&Interaction>, String> {
        let mut candidates = Vec::new();
        for c in self.cassettes.iter().filter(|c| c.may_have(origin, path)) {
            candidates.extend(c.interactions().await?.iter().filter(|i| i.origin == origin && i.method == method && i.path == path));
        }
        Ok(choose::best(candidates, query, body))
    }
}
