//! The site: the plain HTML, CSS and JS of `web/`, embedded in the binary, and
//! the page under each of its paths, with the share card of what it shows.

use std::sync::OnceLock;

use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use sha2::{Digest, Sha256};

use lambda_http::request::RequestContext;
use lambda_http::RequestExt;

use super::share::{page_with_card, Card};
use super::Handler;
use crate::access::Access;
use crate::domain::account::Username;
use crate::domain::video::parse_id;
use crate::error::{ApiError, ApiResult};
use crate::http_io::site_host;
use crate::ports::{UserReader, VideoReader};

pub struct Asset {
    /// Its name under `/assets/`.
    pub name: &'static str,
    /// Its file, relative to `web/`.
    pub path: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {
        asset!($name, $name, $content_type)
    };
    ($name:literal, $path:literal, $content_type:literal) => {
        Asset {
            name: $name,
            path: $path,
            content_type: $content_type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/", $path)),
        }
    };
}

/// Every file of `web/` (a test checks that none is missing).
pub const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("upload-parts.js", "text/javascript; charset=utf-8"),
    asset!("upload-pending.js", "text/javascript; charset=utf-8"),
    asset!("upload-poster.js", "text/javascript; charset=utf-8"),
    asset!("upload.js", "text/javascript; charset=utf-8"),
    asset!("edit.js", "text/javascript; charset=utf-8"),
    asset!("share.js", "text/javascript; charset=utf-8"),
    asset!("follow.js", "text/javascript; charset=utf-8"),
    asset!("search.js", "text/javascript; charset=utf-8"),
    asset!("player.js", "text/javascript; charset=utf-8"),
    // The app's files, in index.html's order (app.js, last, starts the page).
    asset!("core.js", "text/javascript; charset=utf-8"),
    asset!("format.js", "text/javascript; charset=utf-8"),
    asset!("api.js", "text/javascript; charset=utf-8"),
    asset!("page.js", "text/javascript; charset=utf-8"),
    asset!("router.js", "text/javascript; charset=utf-8"),
    asset!("auth.js", "text/javascript; charset=utf-8"),
    asset!("upload-page.js", "text/javascript; charset=utf-8"),
    asset!("upload-resume.js", "text/javascript; charset=utf-8"),
    asset!("videos.js", "text/javascript; charset=utf-8"),
    asset!("comments.js", "text/javascript; charset=utf-8"),
    asset!("watch.js", "text/javascript; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    // hls.js, as published (web/vendor/README.md): loaded by player.js where MSE plays HLS.
    asset!("hls.min.js", "vendor/hls.min.js", "text/javascript; charset=utf-8"),
    // Stylesheets, in index.html's cascade order.
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("layout.css", "text/css; charset=utf-8"),
    asset!("controls.css", "text/css; charset=utf-8"),
    asset!("videos.css", "text/css; charset=utf-8"),
    asset!("watch.css", "text/css; charset=utf-8"),
    asset!("upload.css", "text/css; charset=utf-8"),
    asset!("comments.css", "text/css; charset=utf-8"),
    asset!("dialog.css", "text/css; charset=utf-8"),
    asset!("search.css", "text/css; charset=utf-8"),
    asset!("responsive.css", "text/css; charset=utf-8"),
    asset!("icon.svg", "image/svg+xml"),
    asset!("placeholder.svg", "image/svg+xml"),
];

/// No inline script or style; media and uploads only from here and the bucket. HLS: hls.js
/// fetches playlists and segments (connect-src: here, and the bucket's presigned segments
/// locally) and feeds the player a MediaSource (media-src blob:); it runs without its worker,
/// which would need `worker-src blob:`, so no worker at all.
fn content_security_policy(s3_origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data: {s3_origin}; \
         media-src 'self' blob: {s3_origin}; connect-src 'self' {s3_origin}; worker-src 'none'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// A strong ETag per asset, computed once.
fn etag(asset: &Asset) -> &'static str {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    let etags = ETAGS.get_or_init(|| {
        ASSETS.iter().map(|a| format!("\"{}\"", &hex::encode(Sha256::digest(a.bytes))[..16])).collect()
    });
    let index = ASSETS.iter().position(|a| a.name == asset.name).expect("asset is in ASSETS");
    &etags[index]
}

/// The answer for one body: 304 when the caller holds its ETag.
fn respond(
    s3_origin: &str,
    req: &Request,
    body: Vec<u8>,
    content_type: &'static str,
    etag: &str,
    cache: &'static str,
) -> Response<Body> {
    let fresh = req.headers().get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut response = if fresh {
        let mut r = Response::new(Body::Empty);
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(Body::Binary(body))
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(etag) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(s3_origin)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

fn serve_asset(s3_origin: &str, req: &Request, name: &str) -> ApiResult<Response<Body>> {
    let asset = ASSETS.iter().find(|a| a.name == name).ok_or(ApiError::NotFound("file"))?;
    // Revalidate cheaply with the ETag; the page itself always.
    let cache = if name == "index.html" { "no-cache" } else { "public, max-age=300, must-revalidate" };
    Ok(respond(s3_origin, req, asset.bytes.to_vec(), asset.content_type, etag(asset), cache))
}

/// The page, with the share card of what its path shows.
fn serve_page(s3_origin: &str, req: &Request, card: &Card, origin: &str) -> Response<Body> {
    let index = std::str::from_utf8(ASSETS[0].bytes).expect("index.html is UTF-8");
    let page = page_with_card(index, card, origin).into_bytes();
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&page))[..16]);
    respond(s3_origin, req, page, ASSETS[0].content_type, &etag, "no-cache")
}

/// What a path of the site shows.
enum Target {
    Asset(String),
    Page,
    Video(String),
    User(String),
}

/// Told apart by the route's path parameter (`{file}`, `{id}` or `{username}`).
fn target(req: &Request) -> Target {
    let params = req.path_parameters();
    if let Some(file) = params.first("file") {
        Target::Asset(file.to_owned())
    } else if let Some(id) = params.first("id") {
        Target::Video(id.to_owned())
    } else if let Some(name) = params.first("username") {
        Target::User(name.to_owned())
    } else {
        Target::Page
    }
}

/// The site: `GET /`, the page's other paths (`/upload`, `/signin`, `/register`),
/// `GET /assets/{file}`, and the share links `/v/{id}` and `/u/{username}`, whose
/// page carries the video's or the user's card (one read each; nothing else reads).
pub struct Site<V, U> {
    pub s3_origin: String,
    /// The canonical origin for the cards' absolute URLs; None: the request's.
    pub site_origin: Option<String>,
    /// `ORIGIN_VERIFY_SECRET`: what proves a request came through CloudFront.
    pub origin_verify_secret: Option<String>,
    pub videos: V,
    pub users: U,
}

impl<V: VideoReader, U: UserReader> Site<V, U> {
    /// The card, or the site's when there is nothing anyone may see. A storage
    /// fault gives the site's card too: the page must not go down for a preview.
    async fn card(&self, target: &Target) -> Card {
        let found = match target {
            Target::Video(raw) => match parse_id(raw) {
                Some(id) => self.videos.get_video(&id).await.map(|v| v.as_ref().map(Card::video)),
                None => Ok(None),
            },
            Target::User(raw) => match Username::parse(raw) {
                Ok(name) => self.users.get_user(&name).await.map(|u| u.as_ref().map(Card::user)),
                Err(_) => Ok(None),
            },
            Target::Asset(_) | Target::Page => Ok(None),
        };
        found
            .unwrap_or_else(|err| {
                tracing::warn!(
                    code = err.code(),
                    cause = err.cause(),
                    "share card unavailable: the site's card instead"
                );
                None
            })
            .unwrap_or_else(Card::site)
    }

    fn origin(&self, req: &Request) -> String {
        if let Some(origin) = &self.site_origin {
            return origin.clone();
        }
        // Behind CloudFront, the distribution's host (x-forwarded-host), trusted only from it.
        if let Some(host) =
            site_host(req, self.origin_verify_secret.as_deref()).filter(|_| self.origin_verify_secret.is_some())
        {
            return format!("https://{host}");
        }
        match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => ctx.domain_name.as_ref().map(|d| format!("https://{d}")),
            _ => None,
        }
        .unwrap_or_default()
    }
}

impl<V: VideoReader + 'static, U: UserReader + 'static> Handler for Site<V, U> {
    fn access(&self) -> Vec<Access> {
        let mut access = self.videos.access();
        access.extend(self.users.access());
        access
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let target = target(&req);
        if let Target::Asset(name) = &target {
            return serve_asset(&self.s3_origin, &req, name);
        }
        let card = self.card(&target).await;
        Ok(serve_page(&self.s3_origin, &req, &card, &self.origin(&req)))
    }
}
