//! `GET /videos/{id}/hls/{file}`: the ladder's playlists without a CDN. The
//! master as stored (its variants' relative URIs come back to this route), a
//! rung's playlist with each segment a presigned S3 GET.

use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use m3u8_rs::{MasterPlaylist, MediaPlaylist};

use super::videos::visible_video;
use super::Handler;
use crate::access::Access;
use crate::auth::optional_session;
use crate::config::Config;
use crate::domain::ladder::{
    hls_prefix, is_plain_file_name, MASTER_PLAYLIST, PLAYLIST_CONTENT_TYPE, SEGMENT_CONTENT_TYPE,
};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{path_param, video_id_param};
use crate::ports::{DownloadUrls, PlaylistReader, SessionReader, VideoReader};

/// No playlist of ours is near this: a rung of a 10-hour video is ~250 KiB.
pub const MAX_PLAYLIST_BYTES: u64 = 1024 * 1024;

pub struct GetPlaylist<S, V, P, D> {
    pub sessions: S,
    pub videos: V,
    /// Reads `hls/`.
    pub playlists: P,
    /// Presigns the segments (`hls/`).
    pub segment_urls: D,
    pub config: Config,
}

impl<S, V, P, D> Handler for GetPlaylist<S, V, P, D>
where
    S: SessionReader + 'static,
    V: VideoReader + 'static,
    P: PlaylistReader + 'static,
    D: DownloadUrls + 'static,
{
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.playlists.access(), self.segment_urls.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let viewer = optional_session(&self.sessions, &req).await?;
        let video = visible_video(&self.videos, &video_id_param(&req)?, viewer.as_ref()).await?;
        let file = path_param(&req, "file")?;
        if !video.hls.as_ref().is_some_and(|hls| hls.serves_playlist(&file)) {
            return Err(ApiError::NotFound("playlist"));
        }
        let prefix = hls_prefix(&video.id);
        let key = format!("{prefix}{file}");
        let Some(bytes) = self.playlists.read_playlist(&key, MAX_PLAYLIST_BYTES).await? else {
            return Err(ApiError::NotFound("playlist"));
        };
        let body = if file == MASTER_PLAYLIST {
            let master = m3u8_rs::parse_master_playlist_res(&bytes).map_err(|e| unparsable(&key, "master", e))?;
            write_master(&master)?
        } else {
            let mut media = m3u8_rs::parse_media_playlist_res(&bytes).map_err(|e| unparsable(&key, "media", e))?;
            self.presign_segments(&mut media, &prefix).await?;
            write_media(&media)?
        };
        Ok(playlist_response(body))
    }
}

impl<S, V, P, D: DownloadUrls> GetPlaylist<S, V, P, D> {
    /// Each segment (and initialisation section) URI → a presigned GET of
    /// `{prefix}{file}`; a URI that is not a plain file name of that
    /// directory is refused, so a playlist can reach nothing else.
    async fn presign_segments(&self, media: &mut MediaPlaylist, prefix: &str) -> ApiResult<()> {
        for segment in &mut media.segments {
            segment.uri = self.presign_file(&segment.uri, prefix).await?;
            if let Some(map) = segment.map.as_mut() {
                map.uri = self.presign_file(&map.uri, prefix).await?;
            }
        }
        Ok(())
    }

    async fn presign_file(&self, uri: &str, prefix: &str) -> ApiResult<String> {
        let file = segment_file(uri)?;
        let ttl = self.config.stream_url_ttl_secs;
        self.segment_urls.presign_get(&format!("{prefix}{file}"), segment_type(file), ttl).await
    }
}

/// A segment's file name, if it is a plain one: no directory, no scheme, no
/// query, not hidden.
pub fn segment_file(uri: &str) -> ApiResult<&str> {
    if is_plain_file_name(uri) && uri.len() <= 255 {
        Ok(uri)
    } else {
        Err(ApiError::internal(format!("a playlist names {uri:?}, not a file of its directory")))
    }
}

/// A stored playlist m3u8-rs cannot read: a fault of ours, logged with the
/// start of the parser's complaint (which quotes the rest of the input).
fn unparsable(key: &str, kind: &str, error: impl std::fmt::Debug) -> ApiError {
    let complaint: String = format!("{error:?}").chars().take(200).collect();
    ApiError::internal(format!("{key} is not a {kind} playlist: {complaint}"))
}

/// The type S3 answers a segment with.
fn segment_type(file: &str) -> &'static str {
    match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("ts") => SEGMENT_CONTENT_TYPE,
        Some("m4s" | "mp4") => "video/mp4",
        Some("aac") => "audio/aac",
        _ => "application/octet-stream",
    }
}

fn write_master(master: &MasterPlaylist) -> ApiResult<Vec<u8>> {
    let mut body = Vec::new();
    master.write_to(&mut body).map_err(|e| ApiError::internal_from("writing a master playlist", e))?;
    Ok(body)
}

fn write_media(media: &MediaPlaylist) -> ApiResult<Vec<u8>> {
    let mut body = Vec::new();
    media.write_to(&mut body).map_err(|e| ApiError::internal_from("writing a media playlist", e))?;
    Ok(body)
}

/// 200 with the playlist; never cached (its URLs expire, its video may turn private).
fn playlist_response(body: Vec<u8>) -> Response<Body> {
    let mut response = Response::new(Body::Binary(body));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PLAYLIST_CONTENT_TYPE));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
