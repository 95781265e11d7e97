//! API Gateway HTTP API (payload 2.0) events and responses, routed with the
//! app's own route table so `routeKey` and `pathParameters` are what AWS sends.

use base64::{engine::general_purpose::STANDARD, Engine};
use serde_json::{json, Map, Value};
use vidlet::routes::{path_matches, ROUTES};

use crate::Result;

/// An HTTP request as its v2 event.
pub fn http_event(method: &str, path: &str, query: &str, headers: &[(String, String)], body: &[u8]) -> Value {
    let route = ROUTES.iter().find(|r| r.method == method && path_matches(r.path, path));
    let route_key = route.map(|r| format!("{} {}", r.method, r.path)).unwrap_or_else(|| "$default".into());
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": header_map(headers),
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "bench",
            "domainName": "127.0.0.1",
            "domainPrefix": "bench",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": header(headers, "user-agent").unwrap_or("bench"),
            },
            "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": route_key,
            "stage": "$default",
            "time": chrono::Utc::now().format("%d/%b/%Y:%H:%M:%S +0000").to_string(),
            "timeEpoch": chrono::Utc::now().timestamp_millis(),
        },
        "isBase64Encoded": false,
    });
    if let Some(route) = route {
        event["pathParameters"] = Value::Object(path_parameters(route.path, path));
    }
    if !query.is_empty() {
        let params: Map<String, Value> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
            .collect();
        event["queryStringParameters"] = Value::Object(params);
    }
    if !body.is_empty() {
        match std::str::from_utf8(body) {
            Ok(text) => event["body"] = Value::String(text.to_owned()),
            Err(_) => {
                event["body"] = Value::String(STANDARD.encode(body));
                event["isBase64Encoded"] = Value::Bool(true);
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
    serde_json::to_vec(&http_event(method, path, "", &headers, body)).expect("an event serializes")
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
        let body = if v["isBase64Encoded"].as_bool() == Some(true) { STANDARD.decode(text)? } else { text.as_bytes().to_vec() };
        Ok(HttpReply { status, headers, body })
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Lower-case names; repeated headers joined by commas, as API Gateway does.
fn header_map(headers: &[(String, String)]) -> Map<String, Value> {
    let mut map = Map::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let joined = match map.get(&name).and_then(Value::as_str) {
            Some(previous) => format!("{previous},{value}"),
            None => value.clone(),
        };
        map.insert(name, Value::String(joined));
    }
    map
}

fn path_parameters(pattern: &str, path: &str) -> Map<String, Value> {
    pattern
        .trim_matches('/')
        .split('/')
        .zip(path.trim_matches('/').split('/'))
        .filter_map(|(p, part)| {
            let name = p.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.to_owned(), Value::String(part.to_owned())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_give_route_keys_and_path_parameters() {
        let e = http_event("GET", "/videos/abc/comments", "limit=5", &[], b"");
        assert_eq!(e["routeKey"], "GET /videos/{id}/comments");
        assert_eq!(e["pathParameters"]["id"], "abc");
        assert_eq!(e["queryStringParameters"]["limit"], "5");
        assert_eq!(http_event("GET", "/nope", "", &[], b"")["routeKey"], "$default");
    }

    #[test]
    fn responses_parse_headers_and_base64_bodies() {
        let raw = br#"{"statusCode":302,"headers":{"location":"http://x"},"body":"aGk=","isBase64Encoded":true}"#;
        let r = HttpReply::parse(raw).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (302, &b"hi"[..]));
        assert_eq!(r.headers, vec![("location".to_string(), "http://x".to_string())]);
    }
}
