//! A cheap superset of the routes a cassette records, read from its `uri:`
//! lines without parsing the YAML. Parsing is slow (megabytes of base64 in
//! debug builds), so a request only parses the cassettes that may answer
//! it — and a 404 for a route nothing recorded parses none, which matters
//! because tests provoke 404s on purpose all the time.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use crate::origin::Origin;

#[derive(Debug, Default)]
pub struct Routes {
    pub routes: HashSet<(Origin, String)>,
    /// Hosts served on the assets listener.
    pub asset_hosts: BTreeSet<String>,
}

/// The routes in `file`; `None` when it could not be read this way, which
/// means "it may hold anything".
pub fn scan(file: &Path) -> Option<Routes> {
    let text = std::fs::read_to_string(file).ok()?;
    let mut found = Routes::default();
    for line in text.lines() {
        let Some(value) = line.trim_start().strip_prefix("uri:") else {
            continue;
        };
        // vcrpy writes URIs as plain or single-quoted scalars on one line.
        let url = url::Url::parse(value.trim().trim_matches('\'')).ok()?;
        let mut host = url.host_str()?.to_string();
        if let Some(port) = url.port() {
            host = format!("{host}:{port}");
        }
        let origin = Origin::of_host(&host);
        let path = match origin {
            Origin::Assets => format!("/{host}{}", url.path()),
            _ => url.path().to_string(),
        };
        if origin == Origin::Assets {
            found.asset_hosts.insert(host);
        }
        found.routes.insert((origin, path));
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_routes_per_listener() {
        let dir = std::env::temp_dir().join(format!("fakehub-prescan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.yaml");
        std::fs::write(
            &file,
            "- request:\n    uri: https://huggingface.co/api/models/a/b?expand=x\n- request:\n    uri: 'https://v3.fal.media/f.png'\n",
        )
        .unwrap();
        let found = scan(&file).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(found.routes.contains(&(Origin::Hub, "/api/models/a/b".to_string())));
        assert!(found.routes.contains(&(Origin::Assets, "/v3.fal.media/f.png".to_string())));
        assert_eq!(found.routes.len(), 2);
        assert_eq!(found.asset_hosts.into_iter().collect::<Vec<_>>(), ["v3.fal.media"]);
    }
}
