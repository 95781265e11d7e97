//! Request parsing and response building shared by every handler.

use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::{de::DeserializeOwned, Serialize};

use crate::domain::page::PageRequest;
use crate::domain::video::parse_id;
use crate::error::{ApiError, ApiResult};

/// Largest JSON body any route accepts.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

/// Parses a JSON body strictly: size-capped, unknown fields refused, and an
/// error message that names the offending field.
pub fn json_body<T: DeserializeOwned>(req: &Request) -> ApiResult<T> {
    let bytes: &[u8] = req.body().as_ref();
    if bytes.len() > MAX_JSON_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge(format!("request body is larger than {MAX_JSON_BODY_BYTES} bytes")));
    }
    if bytes.is_empty() {
        return Err(ApiError::bad_request("request body must be a JSON object"));
    }
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() || path == "." || path == "?" {
            ApiError::bad_request(format!("invalid JSON body: {inner}"))
        } else {
            ApiError::bad_request(format!("invalid field `{path}`: {inner}"))
        }
    })
}

/// The session token from `Authorization: Bearer <id>` or `X-Session-Id`.
pub fn session_token(req: &Request) -> Option<&str> {
    let headers = req.headers();
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = value.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| token.trim());
    }
    headers.get("x-session-id").and_then(|v| v.to_str().ok()).map(str::trim)
}

/// The caller's address as API Gateway saw it (`requestContext.http.sourceIp`),
/// never a client header such as `X-Forwarded-For`.
pub fn source_ip(req: &Request) -> Option<String> {
    match req.request_context_ref()? {
        lambda_http::request::RequestContext::ApiGatewayV2(ctx) => ctx.http.source_ip.clone(),
        _ => None,
    }
}

/// The `User-Agent` header, or empty.
pub fn user_agent(req: &Request) -> &str {
    req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// A path parameter filled in by API Gateway (or `cargo lambda watch`).
pub fn path_param(req: &Request, name: &str) -> ApiResult<String> {
    req.path_parameters()
        .first(name)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::internal(format!("route is missing path parameter {name}")))
}

/// The `{id}` of a video route: a UUID, or the video does not exist.
pub fn video_id_param(req: &Request) -> ApiResult<String> {
    parse_id(&path_param(req, "id")?).ok_or(ApiError::NotFound("video"))
}

/// `?limit=&cursor=` of a list route.
pub fn page_request(req: &Request) -> ApiResult<PageRequest> {
    Ok(PageRequest::parse(query_param(req, "limit").as_deref(), query_param(req, "cursor"))?)
}

/// A query-string parameter, if present.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    req.query_string_parameters_ref().and_then(|q| q.first(name)).map(str::to_owned)
}

pub fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    let body = serde_json::to_vec(value).expect("response types always serialise");
    let mut response = Response::new(Body::Binary(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

pub fn empty_response(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = status;
    response
}

/// The answer to HEAD: the GET's status and headers, with the `Content-Length`
/// of the body GET would send (none on 204 and 304, as GET sends none), and no body.
pub fn without_body_for_head(response: &mut Response<Body>) {
    let status = response.status();
    if status != StatusCode::NO_CONTENT && status != StatusCode::NOT_MODIFIED {
        let length = HeaderValue::from(response.body().as_ref().len());
        response.headers_mut().entry(header::CONTENT_LENGTH).or_insert(length);
    }
    *response.body_mut() = Body::Empty;
}

/// Headers every API response carries.
pub fn add_security_headers(response: &mut Response<Body>) {
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
}
