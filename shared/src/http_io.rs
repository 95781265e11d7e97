//! Request parsing and response building shared by every handler.

use std::net::IpAddr;

use http::{header, HeaderValue, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::{de::DeserializeOwned, Serialize};
use subtle::ConstantTimeEq;

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

/// The caller's address. Behind CloudFront (the request carries `x-origin-verify`
/// equal to `origin_verify_secret`, `ORIGIN_VERIFY_SECRET`), the viewer's address
/// CloudFront reports in `cloudfront-viewer-address`; otherwise the address API
/// Gateway saw (`requestContext.http.sourceIp`). A client header alone, such as
/// `X-Forwarded-For` or a forged viewer address, is never trusted.
pub fn source_ip(req: &Request, origin_verify_secret: Option<&str>) -> Option<String> {
    let via_cloudfront = from_cloudfront(req, origin_verify_secret);
    let viewer = req.headers().get("cloudfront-viewer-address").and_then(|v| v.to_str().ok());
    match viewer.filter(|_| via_cloudfront).and_then(viewer_ip) {
        Some(ip) => Some(ip.to_string()),
        None => match req.request_context_ref()? {
            lambda_http::request::RequestContext::ApiGatewayV2(ctx) => ctx.http.source_ip.clone(),
            _ => None,
        },
    }
}

/// Whether the request came through the site's CloudFront distribution: it
/// carries `x-origin-verify` equal to the secret (compared in constant time).
fn from_cloudfront(req: &Request, origin_verify_secret: Option<&str>) -> bool {
    origin_verify_secret.filter(|s| !s.is_empty()).is_some_and(|secret| {
        let sent = req.headers().get("x-origin-verify").map(HeaderValue::as_bytes).unwrap_or_default();
        bool::from(sent.ct_eq(secret.as_bytes()))
    })
}

/// The host the viewer asked for. Behind CloudFront, API Gateway sees its own
/// host, so the site's (the distribution's, or a custom domain) comes as
/// `x-forwarded-host`, which a CloudFront Function sets; trusted only from
/// CloudFront, as `source_ip` trusts the viewer's address. Otherwise `Host`.
pub fn site_host(req: &Request, origin_verify_secret: Option<&str>) -> Option<String> {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let forwarded = header("x-forwarded-host").filter(|_| from_cloudfront(req, origin_verify_secret));
    forwarded.or_else(|| header(header::HOST.as_str())).filter(|host| !host.is_empty())
}

/// The address of CloudFront's `ip:port`: `198.51.100.10:46532`, or for IPv6
/// `2001:db8::1:46532` (unbracketed, as CloudFront sends it) or `[2001:db8::1]:46532`.
fn viewer_ip(value: &str) -> Option<IpAddr> {
    let (address, port) = value.trim().rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    let address = address.strip_prefix('[').and_then(|a| a.strip_suffix(']')).unwrap_or(address);
    address.parse().ok()
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

#[cfg(test)]
mod tests {
    use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
    use lambda_http::request::RequestContext;

    use super::*;

    const SECRET: &str = "s3cr3t-from-cloudfront";

    /// A request API Gateway saw from 130.176.0.1 (a CloudFront edge), with these headers.
    fn from_edge(headers: &[(&str, &str)]) -> Request {
        let mut builder = http::Request::builder().uri("http://localhost/");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some("130.176.0.1".into());
        builder.body(Body::Empty).unwrap().with_request_context(RequestContext::ApiGatewayV2(context))
    }

    #[test]
    fn the_viewer_address_counts_only_with_the_origin_secret() {
        let viewer = ("cloudfront-viewer-address", "198.51.100.10:46532");
        let verified = from_edge(&[("x-origin-verify", SECRET), viewer]);
        assert_eq!(source_ip(&verified, Some(SECRET)).as_deref(), Some("198.51.100.10"));
        // A client that sends the header itself, without the secret or with a wrong one.
        let forged = from_edge(&[viewer]);
        assert_eq!(source_ip(&forged, Some(SECRET)).as_deref(), Some("130.176.0.1"));
        let guessed = from_edge(&[("x-origin-verify", "s3cr3t-from-cloudfronT"), viewer]);
        assert_eq!(source_ip(&guessed, Some(SECRET)).as_deref(), Some("130.176.0.1"));
        let prefix = from_edge(&[("x-origin-verify", "s3cr3t"), viewer]);
        assert_eq!(source_ip(&prefix, Some(SECRET)).as_deref(), Some("130.176.0.1"));
        // No secret configured (locally): the headers change nothing, an empty one included.
        assert_eq!(source_ip(&verified, None).as_deref(), Some("130.176.0.1"));
        let empty = from_edge(&[("x-origin-verify", ""), viewer]);
        assert_eq!(source_ip(&empty, Some("")).as_deref(), Some("130.176.0.1"));
    }

    #[test]
    fn the_site_host_comes_from_cloudfront_only_with_the_origin_secret() {
        let api = ("host", "abc123.execute-api.us-east-1.amazonaws.com");
        let site = ("x-forwarded-host", "d111111abcdef8.cloudfront.net");
        let verified = from_edge(&[("x-origin-verify", SECRET), api, site]);
        assert_eq!(site_host(&verified, Some(SECRET)).as_deref(), Some("d111111abcdef8.cloudfront.net"));
        let forged = from_edge(&[api, site]);
        assert_eq!(site_host(&forged, Some(SECRET)).as_deref(), Some(api.1), "a client's own header is not trusted");
        assert_eq!(site_host(&verified, None).as_deref(), Some(api.1), "no secret configured (locally)");
        assert_eq!(site_host(&from_edge(&[]), Some(SECRET)), None);
    }

    #[test]
    fn the_viewer_address_is_read_in_cloudfronts_formats() {
        for (header, address) in [
            ("198.51.100.10:46532", "198.51.100.10"),
            ("2001:db8::1:443", "2001:db8::1"),
            ("[2001:db8::1]:443", "2001:db8::1"),
            ("0000:0000:0000:0000:0000:0000:0000:0001:52325", "::1"),
            ("[::1]:8080", "::1"),
        ] {
            let req = from_edge(&[("x-origin-verify", SECRET), ("cloudfront-viewer-address", header)]);
            assert_eq!(source_ip(&req, Some(SECRET)).as_deref(), Some(address), "{header}");
        }
    }

    #[test]
    fn a_malformed_viewer_address_falls_back_to_the_gateways() {
        for header in ["198.51.100.10", "198.51.100.10:", "not-an-ip:443", "198.51.100.10:99999", "", "[::1]"] {
            let req = from_edge(&[("x-origin-verify", SECRET), ("cloudfront-viewer-address", header)]);
            assert_eq!(source_ip(&req, Some(SECRET)).as_deref(), Some("130.176.0.1"), "{header:?}");
        }
        let without_viewer = from_edge(&[("x-origin-verify", SECRET)]);
        assert_eq!(source_ip(&without_viewer, Some(SECRET)).as_deref(), Some("130.176.0.1"));
    }
}
