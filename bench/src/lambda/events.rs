//! API Gateway HTTP API (payload 2.0) events and responses. The events are
//! `aws_lambda_events`' own `ApiGatewayV2httpRequest`, the type lambda_http
//! parses, serialised with serde_json, so they cannot drift from the real
//! format; they are routed with the app's own route table so `routeKey` and
//! `pathParameters` are what AWS sends.

use std::collections::HashMap;

use base64::{engine::general_purpose::STANDARD, Engine};
use lambda_http::aws_lambda_events::apigw::{
    ApiGatewayV2httpRequest, ApiGatewayV2httpRequestContext, ApiGatewayV2httpRequestContextHttpDescription,
};
use lambda_http::aws_lambda_events::query_map::QueryMap;
use lambda_http::http::{HeaderMap, HeaderName, HeaderValue, Method};
use serde_json::Value;
use vidlet::routes::{path_matches, ROUTES};

use crate::Result;

/// An HTTP request as its v2 event.
pub fn http_event(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> ApiGatewayV2httpRequest {
    let route = ROUTES.iter().find(|r| r.method == method && path_matches(r.path, path));
    let route_key = route.map(|r| format!("{} {}", r.method, r.path)).unwrap_or_else(|| "$default".into());
    let now = chrono::Utc::now();

    let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
    http.method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
    http.path = Some(path.to_owned());
    http.protocol = Some("HTTP/1.1".into());
    http.source_ip = Some("127.0.0.1".into());
    http.user_agent = Some(header(headers, "user-agent").unwrap_or("bench").to_owned());

    let mut context = ApiGatewayV2httpRequestContext::default();
    context.route_key = Some(route_key.clone());
    context.account_id = Some("000000000000".into());
    // lambda_http prefixes any other stage to the path.
    context.stage = Some("$default".into());
    context.request_id = Some(uuid::Uuid::new_v4().to_string());
    context.apiid = Some("bench".into());
    context.domain_name = Some("127.0.0.1".into());
    context.domain_prefix = Some("bench".into());
    context.time = Some(now.format("%d/%b/%Y:%H:%M:%S +0000").to_string());
    context.time_epoch = now.timestamp_millis();
    context.http = http;

    let mut event = ApiGatewayV2httpRequest::default();
    event.version = Some("2.0".into());
    event.route_key = Some(route_key);
    event.raw_path = Some(path.to_owned());
    event.raw_query_string = Some(query.to_owned());
    event.headers = header_map(headers);
    event.query_string_parameters = query_parameters(query);
    if let Some(route) = route {
        event.path_parameters = path_parameters(route.path, path);
    }
    event.request_context = context;
    if !body.is_empty() {
        match std::str::from_utf8(body) {
            Ok(text) => event.body = Some(text.to_owned()),
            Err(_) => {
                event.body = Some(STANDARD.encode(body));
                event.is_base64_encoded = true;
            }
        }
    }
    event
}

/// A GET without body.
pub fn get(path: &str, headers: &[(&str, &str)]) -> Vec<u8> {
    request("GET", path, headers, b"")
}

/// Any request as serialized event bytes.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    to_bytes(&http_event(method, path, "", &headers, body))
}

/// The event as the JSON Lambda hands the function.
pub fn to_bytes(event: &ApiGatewayV2httpRequest) -> Vec<u8> {
    serde_json::to_vec(event).expect("an event serializes")
}

/// A function's v2 response: status, headers and body.
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReply {
    pub fn parse(raw: &[u8]) -> Result<Self> {
        let v: Value = serde_json::from_slice(raw)?;
        let status = v["statusCode"].as_u64().ok_or("the response has no statusCode")? as u16;
        let mut headers = Vec::new();
        if let Some(map) = v["headers"].as_object() {
            headers.extend(map.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))));
        } else if let Some(map) = v["multiValueHeaders"].as_object() {
            for (k, values) in map {
                for value in values.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    headers.push((k.clone(), value.to_owned()));
                }
            }
        }
        for cookie in v["cookies"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            headers.push(("set-cookie".into(), cookie.to_owned()));
        }
        let text = v["body"].as_str().unwrap_or_default();
        let body = if v["isBase64Encoded"].as_bool() == Some(true) {
            STANDARD.decode(text)?
        } else {
            text.as_bytes().to_vec()
        };
        Ok(HttpReply { status, headers, body })
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// One value per name, repeated headers joined by commas, as API Gateway does
/// (aws_lambda_events serialises only a name's first value). Names the `http`
/// crate refuses are left out.
fn header_map(headers: &[(String, String)]) -> HeaderMap {
    let mut joined: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        match joined.iter_mut().find(|(n, _)| *n == name) {
            Some((_, previous)) => *previous = format!("{previous},{value}"),
            None => joined.push((name, value.clone())),
        }
    }
    let mut map = HeaderMap::new();
    for (name, value) in joined {
        if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(&value)) {
            map.insert(name, value);
        }
    }
    map
}

/// `queryStringParameters`: decoded, repeated names joined by commas (by the serialiser).
fn query_parameters(query: &str) -> QueryMap {
    query.parse().unwrap_or_else(|never| match never {})
}

fn path_parameters(pattern: &str, path: &str) -> HashMap<String, String> {
    pattern
        .trim_matches('/')
        .split('/')
        .zip(path.trim_matches('/').split('/'))
        .filter_map(|(p, part)| {
            let name = p.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.to_owned(), part.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;

    use super::*;

    fn json(event: &ApiGatewayV2httpRequest) -> Value {
        serde_json::from_slice(&to_bytes(event)).unwrap()
    }

    #[test]
    fn routes_give_route_keys_and_path_parameters() {
        let e = json(&http_event("GET", "/videos/abc/comments", "limit=5", &[], b""));
        assert_eq!(e["version"], "2.0");
        assert_eq!(e["routeKey"], "GET /videos/{id}/comments");
        assert_eq!(e["rawPath"], "/videos/abc/comments");
        assert_eq!(e["rawQueryString"], "limit=5");
        assert_eq!(e["pathParameters"]["id"], "abc");
        assert_eq!(e["queryStringParameters"]["limit"], "5");
        assert_eq!(e["requestContext"]["http"]["method"], "GET");
        assert_eq!(e["requestContext"]["routeKey"], "GET /videos/{id}/comments");
        assert_eq!(e["requestContext"]["stage"], "$default");
        assert_eq!(e["isBase64Encoded"], false);
        assert_eq!(json(&http_event("GET", "/nope", "", &[], b""))["routeKey"], "$default");
    }

    #[test]
    fn headers_are_lower_case_and_repeated_ones_joined() {
        let headers = vec![
            ("Accept".to_string(), "text/html".to_string()),
            ("X-Forwarded-For".to_string(), "1.1.1.1".to_string()),
            ("x-forwarded-for".to_string(), "2.2.2.2".to_string()),
        ];
        let e = json(&http_event("GET", "/", "", &headers, b""));
        assert_eq!(e["headers"]["accept"], "text/html");
        assert_eq!(e["headers"]["x-forwarded-for"], "1.1.1.1,2.2.2.2");
    }

    #[test]
    fn binary_bodies_are_base64() {
        let e = json(&http_event("POST", "/videos", "", &[], &[0xff, 0x00, 0x01]));
        assert_eq!((e["isBase64Encoded"].as_bool(), e["body"].as_str()), (Some(true), Some("/wAB")));
        let e = json(&http_event("POST", "/videos", "", &[], b"{}"));
        assert_eq!((e["isBase64Encoded"].as_bool(), e["body"].as_str()), (Some(false), Some("{}")));
    }

    /// What the function sees: lambda_http's own parser on the bytes the bench sends.
    #[test]
    fn lambda_http_reads_the_events_as_sent() {
        let headers = [("authorization", "Bearer t"), ("content-type", "application/json")];
        let raw = request("POST", "/videos/abc/comments", &headers, br#"{"content":"hi"}"#);
        let req = lambda_http::request::from_str(std::str::from_utf8(&raw).unwrap()).unwrap();
        assert_eq!(req.method(), Method::POST);
        assert_eq!(req.uri().path(), "/videos/abc/comments");
        assert_eq!(req.path_parameters().first("id"), Some("abc"));
        assert_eq!(req.headers()["authorization"], "Bearer t");
        assert_eq!(req.body().as_ref(), br#"{"content":"hi"}"#);
        match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(ctx)) => {
                assert_eq!(ctx.route_key.as_deref(), Some("POST /videos/{id}/comments"))
            }
            other => panic!("not an HTTP API v2 context: {other:?}"),
        }

        let event = http_event("GET", "/videos", "limit=5&cursor=a%2Fb", &[], b"");
        let req = lambda_http::request::from_str(std::str::from_utf8(&to_bytes(&event)).unwrap()).unwrap();
        assert_eq!(req.uri().query(), Some("limit=5&cursor=a%2Fb"));
        assert_eq!(req.query_string_parameters().first("cursor"), Some("a/b"));

        let event = http_event("PUT", "/x", "", &[], &[0xff, 0x00]);
        let req = lambda_http::request::from_str(std::str::from_utf8(&to_bytes(&event)).unwrap()).unwrap();
        assert_eq!(req.body().as_ref(), &[0xff, 0x00]);
    }

    #[test]
    fn responses_parse_headers_and_base64_bodies() {
        let raw = br#"{"statusCode":302,"headers":{"location":"http://x"},"body":"aGk=","isBase64Encoded":true}"#;
        let r = HttpReply::parse(raw).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (302, &b"hi"[..]));
        assert_eq!(r.headers, vec![("location".to_string(), "http://x".to_string())]);
    }
}
