//! Delivery of a video's ladder: the CDN's cookies, and its playlists from the bucket.

use std::future::Future;

use crate::access::Access;
use crate::error::ApiResult;

/// Cookies that let a browser fetch one video's renditions from the CDN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieGrant {
    /// `(name, value)` of each cookie, values safe in a `Set-Cookie` header.
    pub cookies: Vec<(String, String)>,
    /// The path they are sent on, `/hls/{id}/`.
    pub path: String,
    /// When the CDN stops honouring them (epoch seconds).
    pub expires_at: i64,
    pub ttl_secs: u64,
}

/// Signs the CDN's cookies for a video's renditions. It calls no AWS API.
pub trait PlaybackCookies: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// The cookies for `video_id`'s renditions, issued at `now`; `request_host`
    /// (the request's `Host`) names the site unless its origin is configured.
    /// None where no CDN serves the renditions (locally: the playlist route does).
    fn grant(&self, video_id: &str, request_host: Option<&str>, now: i64) -> ApiResult<Option<CookieGrant>>;
}

/// Reads a playlist of the ladder.
pub trait PlaylistReader: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// The object's bytes, or None if there is none. An object larger than
    /// `max_bytes` is an error (no playlist of ours is that large).
    fn read_playlist(&self, key: &str, max_bytes: u64) -> impl Future<Output = ApiResult<Option<Vec<u8>>>> + Send;
}
