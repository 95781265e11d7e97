//! The site: the plain HTML, CSS and JS of `web/`, embedded in the binary.

use std::sync::OnceLock;

use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use sha2::{Digest, Sha256};

use super::Handler;
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::http_io::path_param;

pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:literal) => {
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../web/", $name)),
        }
    };
}

/// Every file of `web/` (a test checks that none is missing).
pub const ASSETS: &[Asset] = &[
    asset!("index.html", "text/html; charset=utf-8"),
    asset!("app.js", "text/javascript; charset=utf-8"),
    asset!("upload.js", "text/javascript; charset=utf-8"),
    asset!("edit.js", "text/javascript; charset=utf-8"),
    asset!("search.js", "text/javascript; charset=utf-8"),
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("icon.svg", "image/svg+xml"),
    asset!("placeholder.svg", "image/svg+xml"),
];

/// No inline script or style; media and uploads only from here and the bucket.
fn content_security_policy(s3_origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data: {s3_origin}; \
         media-src 'self' blob: {s3_origin}; connect-src 'self' {s3_origin}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
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

fn serve(s3_origin: &str, req: &Request, name: &str) -> ApiResult<Response<Body>> {
    let asset = ASSETS.iter().find(|a| a.name == name).ok_or(ApiError::NotFound("file"))?;
    let etag = etag(asset);
    let fresh = req.headers().get(header::IF_NONE_MATCH).is_some_and(|v| v.as_bytes() == etag.as_bytes());
    let mut response = if fresh {
        let mut r = Response::new(Body::Empty);
        *r.status_mut() = StatusCode::NOT_MODIFIED;
        r
    } else {
        Response::new(Body::Binary(asset.bytes.to_vec()))
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    headers.insert(header::ETAG, HeaderValue::from_static(etag));
    // Revalidate cheaply with the ETag; the page itself always.
    let cache = if name == "index.html" { "no-cache" } else { "public, max-age=300, must-revalidate" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(s3_origin)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    Ok(response)
}

/// `GET /` (the page) and `GET /assets/{file}`, for the one `web` function.
/// Touches no storage: it only names the bucket's origin in its CSP.
pub struct Site {
    pub s3_origin: String,
}

impl Handler for Site {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let name = if req.uri().path() == "/" { "index.html".to_owned() } else { path_param(&req, "file")? };
        serve(&self.s3_origin, &req, &name)
    }
}
