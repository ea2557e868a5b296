//! The three listeners the fake serves. They are separate origins on
//! purpose: clients decide where the HF token goes by origin (Hub and router
//! get it, a CDN must not need it).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// `HF_ENDPOINT`: `huggingface.co`.
    Hub,
    /// `HF_ROUTER_URL`: `router.huggingface.co`.
    Router,
    /// Every other recorded host (fal.media, replicate.delivery, direct
    /// provider APIs), served under `/{host}/...`.
    Assets,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Hub => "hub",
            Origin::Router => "router",
            Origin::Assets => "assets",
        }
    }

    /// Where a recorded host is served: the Hub and router keep their paths,
    /// anything else is kept apart by prefixing its host to the path.
    pub fn of_host(host: &str) -> Origin {
        match host {
            "huggingface.co" => Origin::Hub,
            "router.huggingface.co" => Origin::Router,
            _ => Origin::Assets,
        }
    }
}

/// Base URLs (`http://127.0.0.1:PORT`, no trailing slash) of the listeners.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Urls {
    pub hub: String,
    pub router: String,
    pub assets: String,
}

#[cfg(test)]
mod tests {
    use super::Origin;

    #[test]
    fn only_the_two_hf_api_hosts_are_not_assets() {
        assert_eq!(Origin::of_host("huggingface.co"), Origin::Hub);
        assert_eq!(Origin::of_host("router.huggingface.co"), Origin::Router);
        assert_eq!(Origin::of_host("v3.fal.media"), Origin::Assets);
        assert_eq!(Origin::of_host("api.replicate.com"), Origin::Assets);
    }
}
