//! The API's response shapes.

use serde::Serialize;

use crate::domain::account::User;
use crate::domain::page::Page;
use crate::domain::playback::MediaFacts;
use crate::domain::rfc3339;
use crate::domain::transcode::{JobState, TranscodeState};
use crate::domain::video::{Comment, Privacy, Video, VideoStatus};

/// What anyone may see of a user.
#[derive(Debug, Serialize)]
pub struct PublicUser {
    pub username: String,
    pub created_at: String,
}

impl From<&User> for PublicUser {
    fn from(user: &User) -> Self {
        PublicUser { username: user.username.to_string(), created_at: rfc3339(user.created_at) }
    }
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
    pub likes: u64,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    pub has_poster: bool,
    /// What its probe read of its streams.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<MediaFacts>,
    /// Whether an adaptive ladder (HLS) plays it: see `GET /videos/{id}/playback`.
    pub hls: bool,
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
            likes: v.likes,
            created_at: rfc3339(v.created_at),
            duration_seconds: v.duration_seconds,
            width: v.width,
            height: v.height,
            has_poster: v.poster_content_type.is_some(),
            media: v.media.clone(),
            hls: v.hls.is_some(),
        }
    }
}

/// Its ladder's job, as its owner sees it.
#[derive(Debug, Serialize)]
pub struct TranscodeView {
    pub state: JobState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl From<&TranscodeState> for TranscodeView {
    fn from(t: &TranscodeState) -> Self {
        TranscodeView { state: t.state, error: t.error.clone() }
    }
}

/// `GET /videos/{id}`: the video, and for a ready one a presigned GET of its bytes.
#[derive(Serialize)]
pub struct WatchedVideo {
    #[serde(flatten)]
    pub video: VideoView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream_url: Option<String>,
    /// Whether the signed-in caller likes it; absent for anonymous callers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liked_by_me: Option<bool>,
    /// Its ladder's job, for its owner only (a failure never shows to others).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcode: Option<TranscodeView>,
}

#[derive(Serialize)]
pub struct VideoEnvelope {
    pub video: VideoView,
}

impl From<&Video> for VideoEnvelope {
    fn from(video: &Video) -> Self {
        VideoEnvelope { video: video.into() }
    }
}

#[derive(Serialize)]
pub struct VideoList {
    pub videos: Vec<VideoView>,
    pub next_cursor: Option<String>,
}

impl From<Page<Video>> for VideoList {
    fn from(page: Page<Video>) -> Self {
        VideoList { videos: page.items.iter().map(VideoView::from).collect(), next_cursor: page.next_cursor }
    }
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
            created_at: rfc3339(c.created_at),
        }
    }
}
