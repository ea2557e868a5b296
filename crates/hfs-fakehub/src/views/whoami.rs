//! `GET /api/whoami-v2` body for a configured token (docs/protocol/inference.md#hub-apis).

use serde_json::{Value, json};

use super::{CREATED_AT, fake_hex};
use crate::config::TokenConfig;

pub fn whoami(token: &TokenConfig) -> Value {
    let orgs: Vec<Value> = token
        .orgs
        .iter()
        .map(|org| {
            json!({
                "type": "org",
                "id": fake_hex(&format!("org:{org}"), 24),
                "name": org,
                "fullname": org,
                "email": null,
                "canPay": false,
                "avatarUrl": avatar(org),
                "periodEnd": null,
                "roleInOrg": "admin",
            })
        })
        .collect();
    let user = &token.user;
    json!({
        "type": "user",
        "id": fake_hex(&format!("user:{user}"), 24),
        "name": user,
        "fullname": user,
        "email": format!("{user}@example.com"),
        "emailVerified": true,
        "isPro": false,
        "canPay": false,
        "avatarUrl": avatar(user),
        "periodEnd": null,
        "orgs": orgs,
        "auth": {
            "type": "access_token",
            "accessToken": {
                "displayName": "hfs-fakehub",
                "role": token.role,
                "createdAt": CREATED_AT,
            },
        },
    })
}

/// The Hub's default avatars are site-relative SVGs; keeps clients offline.
fn avatar(name: &str) -> String {
    format!("/avatars/{}.svg", fake_hex(name, 32))
}
