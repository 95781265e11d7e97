//! Videos, comments and deletion records, with their validation and visibility rules.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};

pub const ALLOWED_VIDEO_TYPES: [&str; 3] = ["video/mp4", "video/webm", "video/quicktime"];
pub const ALLOWED_POSTER_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];
pub const MAX_POSTER_BYTES: u64 = 2 * 1024 * 1024;
/// A pending upload is expired this long after its upload URL expired.
pub const PENDING_GRACE_SECS: i64 = 24 * 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoStatus {
    Pending,
    Ready,
    Rejected,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Privacy {
    #[default]
    Public,
    Unlisted,
    Private,
}

/// A stored video. The adapter adds the sparse index keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Video {
    pub id: String,
    pub owner: String,
    pub name: String,
    pub description: String,
    pub content_type: String,
    pub size: u64,
    pub status: VideoStatus,
    pub privacy: Privacy,
    pub views: u64,
    pub created_at: i64,
    pub upload_expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poster_content_type: Option<String>,
}

impl Video {
    /// Public and unlisted ready videos are visible to anyone; everything
    /// else only to its owner.
    pub fn visible_to(&self, viewer: Option<&str>) -> bool {
        viewer == Some(self.owner.as_str())
            || (self.status == VideoStatus::Ready && self.privacy != Privacy::Private)
    }

    /// Listed in the public feed and on the owner's public page.
    pub fn is_listed(&self) -> bool {
        self.status == VideoStatus::Ready && self.privacy == Privacy::Public
    }

    pub fn object_key(&self) -> String {
        video_object_key(&self.id)
    }
}

pub fn video_object_key(id: &str) -> String {
    format!("videos/{id}")
}

pub fn poster_object_key(id: &str) -> String {
    format!("posters/{id}")
}

/// What the API returns for a video.
#[derive(Debug, Serialize)]
pub struct VideoView {
    pub id: String,
    pub owner: String,
    pub name: String,
    pub description: String,
    pub content_type: String,
    pub size: u64,
    pub status: VideoStatus,
    pub privacy: Privacy,
    pub views: u64,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    pub has_poster: bool,
}

impl From<&Video> for VideoView {
    fn from(v: &Video) -> Self {
        VideoView {
            id: v.id.clone(),
            owner: v.owner.clone(),
            name: v.name.clone(),
            description: v.description.clone(),
            content_type: v.content_type.clone(),
            size: v.size,
            status: v.status,
            privacy: v.privacy,
            views: v.views,
            created_at: super::rfc3339(v.created_at),
            duration_seconds: v.duration_seconds,
            width: v.width,
            height: v.height,
            has_poster: v.poster_content_type.is_some(),
        }
    }
}

/// A video id from a path: a UUID, or the video does not exist.
pub fn parse_video_id(raw: &str) -> ApiResult<String> {
    uuid::Uuid::parse_str(raw)
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| ApiError::NotFound("video"))
}

/// Trims and checks a text field's length in characters.
pub fn text_field(field: &str, raw: &str, min: usize, max: usize) -> ApiResult<String> {
    let text = raw.trim();
    let chars = text.chars().count();
    if chars < min || chars > max {
        return Err(ApiError::bad_request(format!("invalid field `{field}`: use {min}-{max} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ApiError::bad_request(format!("invalid field `{field}`: control characters are not allowed")));
    }
    Ok(text.to_owned())
}

/// A stored comment.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Comment {
    pub video_id: String,
    pub comment_id: String,
    pub author: String,
    pub content: String,
    pub created_at: i64,
}

#[derive(Debug, Serialize)]
pub struct CommentView {
    pub id: String,
    pub video_id: String,
    pub author: String,
    pub content: String,
    pub created_at: String,
}

impl From<&Comment> for CommentView {
    fn from(c: &Comment) -> Self {
        CommentView {
            id: c.comment_id.clone(),
            video_id: c.video_id.clone(),
            author: c.author.clone(),
            content: c.content.clone(),
            created_at: super::rfc3339(c.created_at),
        }
    }
}

/// Work for the sweep: a video's objects and comments to delete.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DeletionRecord {
    pub video_id: String,
    pub object_keys: Vec<String>,
    pub queued_at: i64,
    /// deleted, rejected, expired or account_deleted
    pub reason: String,
}

impl DeletionRecord {
    pub fn for_video(video_id: &str, reason: &str, now: i64) -> Self {
        DeletionRecord {
            video_id: video_id.to_owned(),
            object_keys: vec![video_object_key(video_id), poster_object_key(video_id)],
            queued_at: now,
            reason: reason.to_owned(),
        }
    }
}

/// A page request: `limit` is 1–50 (default 20); `cursor` is opaque.
#[derive(Clone, Debug)]
pub struct PageRequest {
    pub limit: u32,
    pub cursor: Option<String>,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest { limit: 20, cursor: None }
    }
}

impl PageRequest {
    pub fn parse(limit: Option<&str>, cursor: Option<String>) -> ApiResult<Self> {
        let limit = match limit {
            None => 20,
            Some(raw) => raw
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=50).contains(l))
                .ok_or_else(|| ApiError::bad_request("invalid field `limit`: use 1-50"))?,
        };
        Ok(PageRequest { limit, cursor: cursor.filter(|c| !c.is_empty()) })
    }
}

#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(status: VideoStatus, privacy: Privacy) -> Video {
        Video {
            id: "0".into(),
            owner: "alice".into(),
            name: "n".into(),
            description: String::new(),
            content_type: "video/mp4".into(),
            size: 1,
            status,
            privacy,
            views: 0,
            created_at: 0,
            upload_expires_at: 0,
            duration_seconds: None,
            width: None,
            height: None,
            poster_content_type: None,
        }
    }

    #[test]
    fn visibility_follows_status_and_privacy() {
        use Privacy::*;
        use VideoStatus::*;
        for (status, privacy, stranger_sees) in [
            (Ready, Public, true),
            (Ready, Unlisted, true),
            (Ready, Private, false),
            (Pending, Public, false),
            (Rejected, Public, false),
        ] {
            let v = video(status, privacy);
            assert_eq!(v.visible_to(Some("bob")), stranger_sees, "{status:?} {privacy:?}");
            assert_eq!(v.visible_to(None), stranger_sees);
            assert!(v.visible_to(Some("alice")));
        }
        assert!(video(Ready, Public).is_listed());
        assert!(!video(Ready, Unlisted).is_listed());
    }

    #[test]
    fn page_limits_are_checked() {
        assert_eq!(PageRequest::parse(None, None).unwrap().limit, 20);
        assert_eq!(PageRequest::parse(Some("50"), None).unwrap().limit, 50);
        for bad in ["0", "51", "-1", "99999999999999999999", "x"] {
            assert!(PageRequest::parse(Some(bad), None).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_fields_are_trimmed_and_bounded() {
        assert_eq!(text_field("name", "  hi  ", 1, 200).unwrap(), "hi");
        assert!(text_field("name", "   ", 1, 200).is_err());
        assert!(text_field("name", &"é".repeat(201), 1, 200).is_err());
        assert!(text_field("name", &"é".repeat(200), 1, 200).is_ok());
        assert!(text_field("name", "a\u{0}b", 1, 200).is_err());
        assert!(text_field("content", "emoji 🎬 and \u{202e}rtl", 1, 2000).is_ok());
    }

    #[test]
    fn video_ids_must_be_uuids() {
        assert!(parse_video_id("../etc/passwd").is_err());
        assert!(parse_video_id("not-a-uuid").is_err());
        let id = uuid::Uuid::now_v7().to_string();
        assert_eq!(parse_video_id(&id).unwrap(), id);
    }
}
