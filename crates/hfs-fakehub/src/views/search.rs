//! Semantic-search hits for configured Spaces, shaped like the recorded
//! ones (`hub/spaces-semantic-search.json`, docs/protocol/inference.md#hub-apis), so a test
//! can find a local Space by search and then call it.

use serde_json::{Value, json};

use super::space::runtime;
use super::{CREATED_AT, LAST_MODIFIED, fake_hex};
use crate::config::SpaceConfig;

pub fn hit(id: &str, space: &SpaceConfig, stage: &str) -> Value {
    let (author, name) = id.split_once('/').unwrap_or((id, id));
    let mut hit = json!({
        "id": id,
        "author": author,
        "authorData": {
            "_id": fake_hex(&format!("user:{author}"), 24),
            "avatarUrl": format!("/avatars/{}.svg", fake_hex(author, 32)),
            "fullname": author,
            "name": author,
            "type": "user",
            "isPro": false,
            "isHf": false,
            "isHfAdmin": false,
            "isMod": false,
            "followerCount": 0,
        },
        "title": name,
        "emoji": "🚀",
        "colorFrom": "indigo",
        "colorTo": "indigo",
        "createdAt": CREATED_AT,
        "lastModified": LAST_MODIFIED,
        "likes": space.likes,
        "pinned": false,
        "private": space.private,
        "sdk": space.sdk,
        "repoType": "space",
        "runtime": runtime(id, space, stage),
        "isLikedByUser": false,
        "ai_short_description": space.short_description.as_deref().unwrap_or(name),
        "trendingScore": 0,
        "semanticRelevancyScore": 0.5,
        "tags": [space.sdk, "region:us"],
    });
    // Absent rather than null, as in the recorded hits that lack them.
    if let Some(d) = &space.short_description {
        hit["shortDescription"] = json!(d);
    }
    if let Some(c) = &space.category {
        hit["ai_category"] = json!(c);
    }
    hit
}

/// `Image Generation` → `image-generation`, the `category=` slug.
pub fn category_slug(display: &str) -> String {
    display.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_the_documented_categories() {
        assert_eq!(category_slug("Image Generation"), "image-generation");
        assert_eq!(category_slug("OCR"), "ocr");
        assert_eq!(category_slug("Text-to-Speech  Synthesis"), "text-to-speech-synthesis");
    }

    #[test]
    fn hit_has_the_recorded_shape() {
        let s: SpaceConfig =
            serde_json::from_str(r#"{"host":"http://127.0.0.1:9","short_description":"Draws","category":"Image Generation"}"#).unwrap();
        let h = hit("me/draw", &s, "RUNNING");
        assert_eq!(h["shortDescription"], "Draws");
        assert_eq!(h["ai_category"], "Image Generation");
        assert_eq!(h["runtime"]["stage"], "RUNNING");
        assert_eq!(h["repoType"], "space");
    }
}
