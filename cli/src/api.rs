//! A small typed client for the vidlet API. `Api::send` is the one place that turns an HTTP
//! failure into a `CliError`.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::{header, Client, Method, RequestBuilder, Response, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{CliError, Result};

const API_TIMEOUT: Duration = Duration::from_secs(60);
/// `complete` reads the container's headers from S3; give it longer.
const COMPLETE_TIMEOUT: Duration = Duration::from_secs(180);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// At most this many part numbers per `POST /videos/{id}/upload/parts`.
pub const MAX_PARTS_PER_REQUEST: usize = 100;

#[derive(Debug, Deserialize)]
pub struct SessionCreated {
    pub session_id: String,
    #[serde(default)]
    pub device_token: Option<String>,
    pub user: PublicUser,
}

#[derive(Debug, Deserialize)]
pub struct PublicUser {
    pub username: String,
}

#[derive(Debug, Deserialize)]
pub struct Me {
    pub username: String,
    pub used_bytes: Option<u64>,
    pub quota_bytes: Option<u64>,
}

#[derive(Debug, Deserialize)]
pub struct Video {
    pub id: String,
    pub name: String,
    pub status: String,
    pub privacy: String,
    pub size: u64,
}

#[derive(Debug, Deserialize)]
pub struct VideoList {
    pub videos: Vec<Video>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct NewVideo<'a> {
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    pub content_type: &'a str,
    pub size: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub struct CreatedVideo {
    pub video: Video,
    pub upload: UploadLayout,
}

/// How the server splits the upload: every part has `part_size` bytes but the last.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct UploadLayout {
    pub part_size: u64,
    pub part_count: u32,
}

/// `GET /videos/{id}/upload`: the layout and the parts S3 already holds.
#[derive(Debug, Deserialize)]
pub struct UploadStatus {
    #[serde(flatten)]
    pub layout: UploadLayout,
    pub parts: Vec<UploadedPart>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct UploadedPart {
    pub part_number: u32,
    pub size: u64,
}

/// A presigned request for one part, to send as is.
#[derive(Debug, Clone, Deserialize)]
pub struct PartUrl {
    pub part_number: u32,
    pub url: String,
    pub method: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    pub expires_at: String,
}

/// Part URLs and the server's clock when it signed them (from the `Date` header), so expiry is
/// judged without trusting the local clock.
#[derive(Debug)]
pub struct PartUrls {
    pub parts: Vec<PartUrl>,
    pub server_time: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
struct PartsBody {
    parts: Vec<PartUrl>,
}

#[derive(Deserialize)]
struct VideoEnvelope {
    video: Video,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    error_code: Option<serde_json::Value>,
}

#[derive(Clone)]
pub struct Api {
    http: Client,
    base: Url,
    session: Option<String>,
}

impl Api {
    pub fn new(base_url: &str, session: Option<String>) -> Result<Self> {
        let invalid = |why: &str| CliError::Input(format!("invalid server URL {base_url:?}: {why}"));
        let mut base = Url::parse(base_url).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.path_segments_mut().is_err() {
            return Err(invalid("expected http:// or https://"));
        }
        let http = Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("vidlet-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CliError::Input(format!("cannot build the HTTP client: {}", describe(e))))?;
        Ok(Api { http, base, session })
    }

    /// The HTTP client, shared with the presigned S3 requests.
    pub fn http(&self) -> &Client {
        &self.http
    }

    pub async fn login(&self, username: &str, password: &str, device_token: Option<&str>) -> Result<SessionCreated> {
        // The session lives in a private file, as a browser's "keep me signed in".
        let mut body = serde_json::json!({ "username": username, "password": password, "remember": true });
        if let Some(token) = device_token {
            body["device_token"] = token.into();
        }
        self.json(self.request(Method::POST, &["sessions"]).json(&body)).await
    }

    pub async fn logout(&self) -> Result<()> {
        self.send(self.request(Method::DELETE, &["sessions", "current"])).await.map(drop)
    }

    pub async fn me(&self) -> Result<Me> {
        self.json(self.request(Method::GET, &["me"])).await
    }

    pub async fn user_videos(&self, username: &str, cursor: Option<&str>) -> Result<VideoList> {
        let mut request = self.request(Method::GET, &["users", username, "videos"]).query(&[("limit", "50")]);
        if let Some(cursor) = cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        self.json(request).await
    }

    pub async fn delete_video(&self, id: &str) -> Result<()> {
        self.send(self.request(Method::DELETE, &["videos", id])).await.map(drop)
    }

    pub async fn create_video(&self, video: &NewVideo<'_>) -> Result<CreatedVideo> {
        self.json(self.request(Method::POST, &["videos"]).json(video)).await
    }

    pub async fn upload_status(&self, id: &str) -> Result<UploadStatus> {
        self.json(self.request(Method::GET, &["videos", id, "upload"])).await
    }

    pub async fn part_urls(&self, id: &str, part_numbers: &[u32]) -> Result<PartUrls> {
        let body = serde_json::json!({ "part_numbers": part_numbers });
        let response = self.send(self.request(Method::POST, &["videos", id, "upload", "parts"]).json(&body)).await?;
        let server_time = response
            .headers()
            .get(header::DATE)
            .and_then(|date| date.to_str().ok())
            .and_then(|date| DateTime::parse_from_rfc2822(date).ok())
            .map(|date| date.with_timezone(&Utc));
        let parts = read_json::<PartsBody>(response).await?.parts;
        Ok(PartUrls { parts, server_time })
    }

    pub async fn complete(&self, id: &str) -> Result<Video> {
        let request = self.request(Method::POST, &["videos", id, "complete"]).timeout(COMPLETE_TIMEOUT);
        Ok(self.json::<VideoEnvelope>(request).await?.video)
    }

    fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        let request = self.http.request(method, url).timeout(API_TIMEOUT);
        match &self.session {
            Some(session) => request.bearer_auth(session),
            None => request,
        }
    }

    async fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T> {
        read_json(self.send(request).await?).await
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response> {
        let response = request.send().await.map_err(|e| network_error(&self.base, e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED && self.session.is_some() {
            return Err(CliError::SessionRejected);
        }
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse().ok());
        let body = response.text().await.unwrap_or_default();
        let (code, message) = match serde_json::from_str::<ErrorBody>(&body) {
            Ok(ErrorBody { error, error_code: Some(serde_json::Value::String(code)) }) => (code, error),
            Ok(ErrorBody { error, error_code }) => (error_code.map(|c| c.to_string()).unwrap_or("-".into()), error),
            Err(_) => ("-".into(), non_json_message(status, &body)),
        };
        Err(CliError::Api { status: status.as_u16(), code, message, retry_after })
    }
}

async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T> {
    let url = response.url().clone();
    let body = response.bytes().await.map_err(|e| network_error(&url, e))?;
    serde_json::from_slice(&body).map_err(|e| CliError::Protocol(format!("{}: {e}", url.path())))
}

fn non_json_message(status: reqwest::StatusCode, body: &str) -> String {
    let reason = status.canonical_reason().unwrap_or("error");
    let body: String = body.trim().chars().take(200).collect();
    if body.is_empty() {
        reason.to_string()
    } else {
        format!("{reason}: {body}")
    }
}

pub fn network_error(url: &Url, error: reqwest::Error) -> CliError {
    let origin = url.origin().ascii_serialization();
    CliError::Network { url: origin, reason: describe(error) }
}

/// A reqwest error with its causes ("error sending request" alone says little), without its URL
/// (a presigned URL carries a signature and credentials).
pub fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        return "timed out".into();
    }
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_header_parses_as_rfc2822() {
        let parsed = DateTime::parse_from_rfc2822("Tue, 15 Nov 1994 08:12:31 GMT").unwrap();
        assert_eq!(parsed.timestamp(), 784887151);
    }

    #[test]
    fn status_body_flattens_the_layout() {
        let json = r#"{"part_size": 8388608, "part_count": 3, "parts": [{"part_number": 1, "size": 8388608}]}"#;
        let status: UploadStatus = serde_json::from_str(json).unwrap();
        assert_eq!((status.layout.part_size, status.layout.part_count), (8388608, 3));
        assert_eq!(status.parts[0].part_number, 1);
    }

    #[test]
    fn urls_keep_path_segments_encoded() {
        let api = Api::new("http://127.0.0.1:9000/prefix/", None).unwrap();
        let request = api.request(Method::DELETE, &["videos", "../x?y"]).build().unwrap();
        assert_eq!(request.url().as_str(), "http://127.0.0.1:9000/prefix/videos/..%2Fx%3Fy");
    }

    #[test]
    fn bad_base_urls_are_refused() {
        assert!(Api::new("not a url", None).is_err());
        assert!(Api::new("ftp://example.com", None).is_err());
        assert!(Api::new("mailto:a@b", None).is_err());
    }
}
