//! Videos, comments and deletion records, with their validation and visibility rules.

use serde::{Deserialize, Serialize};

use super::ladder::hls_prefix;
use super::playback::MediaFacts;
use super::transcode::{Hls, TranscodeState};
use super::upload::UploadPlan;
use super::Invalid;

pub const ALLOWED_VIDEO_TYPES: [&str; 3] = ["video/mp4", "video/webm", "video/quicktime"];
pub const ALLOWED_POSTER_TYPES: [&str; 3] = ["image/jpeg", "image/png", "image/webp"];
pub const MAX_POSTER_BYTES: u64 = 2 * 1024 * 1024;
/// A pending upload is expired this long after its upload window closed.
pub const PENDING_GRACE_SECS: i64 = 3600;
/// A poster upload may be confirmed this long after its URL expires.
pub const POSTER_CONFIRM_GRACE_SECS: i64 = 3600;
/// An unconfirmed poster's object is swept this long after it could last be
/// confirmed, so that no confirmation in flight races the sweep.
const POSTER_SWEEP_MARGIN_SECS: i64 = 600;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoStatus {
    Pending,
    /// Verified, but no browser-playable rendition yet: its owner's only.
    Processing,
    Ready,
    Rejected,
    /// Its transcode failed and nothing playable exists: its owner's only.
    Failed,
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
    /// Kept by the likes' transactions; absent on items from before likes.
    #[serde(default)]
    pub likes: u64,
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
    /// The poster's object: a fresh key for every poster upload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poster_key: Option<String>,
    /// The S3 multipart upload, while the video is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    /// The plan's part size (the count follows from `size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_size: Option<u64>,
    /// What `/complete` read of its streams.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaFacts>,
    /// Its adaptive ladder's job, once one was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcode: Option<TranscodeState>,
    /// Its adaptive ladder, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hls: Option<Hls>,
}

impl Video {
    /// A 10-byte MP4 of `owner`, as tests and examples seed it: a new id,
    /// created now, no poster and no upload.
    pub fn example(owner: &str, status: VideoStatus, privacy: Privacy) -> Video {
        let now = super::now_epoch();
        Video {
            id: uuid::Uuid::now_v7().to_string(),
            owner: owner.into(),
            name: "example".into(),
            description: String::new(),
            content_type: "video/mp4".into(),
            size: 10,
            status,
            privacy,
            views: 0,
            likes: 0,
            created_at: now,
            upload_expires_at: now + 900,
            duration_seconds: None,
            width: None,
            height: None,
            poster_content_type: None,
            poster_key: None,
            upload_id: None,
            part_size: None,
            media: None,
            transcode: None,
            hls: None,
        }
    }

    /// Public and unlisted ready videos are visible to anyone; everything
    /// else only to its owner.
    pub fn visible_to(&self, viewer: Option<&str>) -> bool {
        viewer == Some(self.owner.as_str()) || (self.status == VideoStatus::Ready && self.privacy != Privacy::Private)
    }

    /// Listed in the public feed and on the owner's public page.
    pub fn is_listed(&self) -> bool {
        self.status == VideoStatus::Ready && self.privacy == Privacy::Public
    }

    pub fn object_key(&self) -> String {
        video_object_key(&self.id)
    }

    /// How the upload is cut into parts.
    pub fn plan(&self) -> Option<UploadPlan> {
        self.part_size.map(|part_size| UploadPlan {
            size: self.size,
            part_size,
            part_count: self.size.div_ceil(part_size.max(1)) as u32,
        })
    }
}

pub fn video_object_key(id: &str) -> String {
    format!("videos/{id}")
}

/// Where posters went before each upload got a fresh key.
pub fn legacy_poster_key(id: &str) -> String {
    format!("posters/{id}")
}

/// Every poster of a video lives under this prefix.
pub fn poster_prefix(id: &str) -> String {
    format!("posters/{id}/")
}

/// A fresh key for one poster upload, so that a poster URL writes once.
pub fn new_poster_key(id: &str) -> String {
    format!("{}{}", poster_prefix(id), uuid::Uuid::new_v4().simple())
}

/// The queue entry of one poster object (the key's last part keeps it unique).
pub fn poster_record_id(video_id: &str, key: &str) -> String {
    let tail = key.rsplit('/').next().unwrap_or(key);
    format!("{video_id}#poster#{tail}")
}

/// A video or comment id from a path: a UUID, or no such thing exists.
pub fn parse_id(raw: &str) -> Option<String> {
    uuid::Uuid::parse_str(raw).ok().map(|id| id.hyphenated().to_string())
}

/// Trims and checks a text field's length in characters.
pub fn text_field(field: &'static str, raw: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let text = raw.trim();
    let chars = text.chars().count();
    if chars < min || chars > max {
        return Err(Invalid::new(field, format!("use {min}-{max} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Invalid::new(field, "control characters are not allowed"));
    }
    Ok(text.to_owned())
}

/// A video's title, as create and edit check it.
pub fn video_name(raw: &str) -> Result<String, Invalid> {
    text_field("name", raw, 1, 200)
}

/// A video's description, as create and edit check it.
pub fn video_description(raw: &str) -> Result<String, Invalid> {
    text_field("description", raw, 0, 5000)
}

/// An owner's edit: the fields given change, the others stay.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VideoEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    pub privacy: Option<Privacy>,
}

impl VideoEdit {
    /// Checks each field given, and that at least one is.
    pub fn new(name: Option<&str>, description: Option<&str>, privacy: Option<Privacy>) -> Result<Self, Invalid> {
        if name.is_none() && description.is_none() && privacy.is_none() {
            return Err(Invalid::new("body", "give at least one of name, description, privacy"));
        }
        Ok(VideoEdit {
            name: name.map(video_name).transpose()?,
            description: description.map(video_description).transpose()?,
            privacy,
        })
    }

    /// The video with this edit applied.
    pub fn applied_to(&self, video: &Video) -> Video {
        let mut edited = video.clone();
        if let Some(name) = &self.name {
            edited.name = name.clone();
        }
        if let Some(description) = &self.description {
            edited.description = description.clone();
        }
        if let Some(privacy) = self.privacy {
            edited.privacy = privacy;
        }
        edited
    }
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

/// Work for the sweep: a video's objects, uploads and comments to delete.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DeletionRecord {
    pub video_id: String,
    pub object_keys: Vec<String>,
    /// Everything under these prefixes goes too (the posters).
    #[serde(default)]
    pub object_prefixes: Vec<String>,
    pub queued_at: i64,
    /// Not swept before every URL handed out for the video has expired, so
    /// that no PUT racing the delete can leave an object behind.
    #[serde(default)]
    pub not_before: i64,
    /// deleted, rejected, expired or account_deleted
    pub reason: String,
}

impl DeletionRecord {
    /// `urls_live_for`: the longest lifetime of an upload URL.
    pub fn for_video(video_id: &str, reason: &str, now: i64, urls_live_for: i64) -> Self {
        DeletionRecord {
            video_id: video_id.to_owned(),
            object_keys: vec![video_object_key(video_id), legacy_poster_key(video_id)],
            object_prefixes: vec![poster_prefix(video_id), hls_prefix(video_id)],
            queued_at: now,
            not_before: now + urls_live_for,
            reason: reason.to_owned(),
        }
    }

    /// Renditions written for a video that is gone (its job ended after its
    /// delete): the sweep deletes them once no URL for them works.
    pub fn for_orphaned_renditions(video_id: &str, now: i64, urls_live_for: i64) -> Self {
        DeletionRecord {
            video_id: format!("{video_id}#hls"),
            object_keys: Vec::new(),
            object_prefixes: vec![hls_prefix(video_id)],
            queued_at: now,
            not_before: now + urls_live_for,
            reason: "renditions_orphaned".to_owned(),
        }
    }

    /// A poster replaced by a newer one, once no URL handed out for it works.
    /// Its own entry in the queue (`poster_record_id`).
    pub fn for_replaced_poster(video_id: &str, key: &str, now: i64, urls_live_for: i64) -> Self {
        DeletionRecord {
            video_id: poster_record_id(video_id, key),
            object_keys: vec![key.to_owned()],
            object_prefixes: Vec::new(),
            queued_at: now,
            not_before: now + urls_live_for,
            reason: "poster_replaced".to_owned(),
        }
    }

    /// A poster upload just handed out, swept unless it is confirmed by
    /// `confirm_until` (the confirmation cancels this record).
    pub fn for_poster_upload(video_id: &str, key: &str, now: i64, confirm_until: i64) -> Self {
        DeletionRecord {
            video_id: poster_record_id(video_id, key),
            object_keys: vec![key.to_owned()],
            object_prefixes: Vec::new(),
            queued_at: now,
            not_before: confirm_until + POSTER_SWEEP_MARGIN_SECS,
            reason: "poster_unconfirmed".to_owned(),
        }
    }

    /// For a video that never had a poster: nothing to list under its prefix.
    pub fn without_posters(mut self) -> Self {
        let posters = poster_prefix(&self.video_id);
        self.object_prefixes.retain(|prefix| *prefix != posters);
        self
    }

    /// For a video that never asked for a ladder: nothing under `hls/` either.
    pub fn without_renditions(mut self) -> Self {
        let renditions = hls_prefix(&self.video_id);
        self.object_prefixes.retain(|prefix| *prefix != renditions);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn video(status: VideoStatus, privacy: Privacy) -> Video {
        Video::example("alice", status, privacy)
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
            (Processing, Public, false),
            (Failed, Public, false),
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
    fn text_fields_are_trimmed_and_bounded() {
        assert_eq!(text_field("name", "  hi  ", 1, 200).unwrap(), "hi");
        assert!(text_field("name", "   ", 1, 200).is_err());
        assert!(text_field("name", &"é".repeat(201), 1, 200).is_err());
        assert!(text_field("name", &"é".repeat(200), 1, 200).is_ok());
        assert!(text_field("name", "a\u{0}b", 1, 200).is_err());
        assert!(text_field("content", "emoji 🎬 and \u{202e}rtl", 1, 2000).is_ok());
    }

    #[test]
    fn an_edit_checks_its_fields_and_needs_one() {
        assert!(VideoEdit::new(None, None, None).is_err_and(|e| e.field == "body"));
        assert!(VideoEdit::new(Some(" "), None, None).is_err_and(|e| e.field == "name"));
        assert!(VideoEdit::new(None, Some(&"x".repeat(5001)), None).is_err_and(|e| e.field == "description"));
        let edit = VideoEdit::new(Some(" New "), Some(""), Some(Privacy::Private)).unwrap();
        assert_eq!(edit.name.as_deref(), Some("New"));
        assert_eq!(edit.description.as_deref(), Some(""));
        assert_eq!(VideoEdit::new(None, None, Some(Privacy::Public)).unwrap().name, None);
    }

    #[test]
    fn video_ids_must_be_uuids() {
        assert!(parse_id("../etc/passwd").is_none());
        assert!(parse_id("not-a-uuid").is_none());
        let id = uuid::Uuid::now_v7().to_string();
        assert_eq!(parse_id(&id).unwrap(), id);
    }
}
