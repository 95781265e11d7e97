//! JSON request bodies: `vidlet::http_io::json_body` and the validators the
//! routes run on what it returns.
//!
//! The input is the body of a `lambda_http::Request` (text when it is UTF-8,
//! as API Gateway hands it over, binary otherwise; empty as `Body::Empty`).
//! The route body types are private to the handler modules, so this target
//! parses into `serde_json::Value` and into local mirrors of them (same
//! fields, same `#[serde(deny_unknown_fields)]`), then runs the public
//! validators the handlers call: `Username::parse`, `validate_password`,
//! `text_field` and `PageRequest::parse` (and the page cursor it carries
//! through `decode_cursor`, as the list routes do).
//!
//! Invariant: every outcome is `Ok` or an `ApiError` whose status is a 4xx;
//! a 5xx (or a panic) caused by a client's body is a bug. The validators
//! refuse with an `Invalid`, which the routes answer as a 400.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use vidlet::domain::account::{validate_password, Username};
use vidlet::domain::page::{decode_cursor, PageRequest};
use vidlet::domain::video::{text_field, Privacy};
use vidlet::domain::Invalid;
use vidlet::http_io::json_body;
use vidlet::{ApiError, ApiResult};

/// `POST /users`, `POST /sessions` (handlers/accounts.rs `Credentials`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

/// `DELETE /users/{username}` (handlers/accounts.rs `PasswordConfirmation`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordConfirmation {
    password: String,
}

/// `POST /videos` (handlers/videos.rs `NewVideo`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewVideo {
    name: String,
    content_type: String,
    size: u64,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    privacy: Option<Privacy>,
}

/// `POST /videos/{id}/poster` (handlers/videos.rs `NewPoster`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPoster {
    content_type: String,
    size: u64,
}

/// `POST /videos/{id}/comments` (handlers/comments.rs `NewComment`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewComment {
    content: String,
}

/// Asserts that an outcome is Ok or a client error, and gives the value back.
fn client_ok<T>(what: &str, result: ApiResult<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(err) => {
            assert_client_error(what, &err);
            None
        }
    }
}

fn assert_client_error(what: &str, err: &ApiError) {
    let status = err.status();
    assert!(status.is_client_error(), "{what}: {status} for {err:?}");
}

/// A validator's outcome: a refusal names the field, and is a 400.
fn valid<T>(what: &str, result: Result<T, Invalid>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(invalid) => {
            let prefix = format!("invalid field `{}`", invalid.field);
            assert!(invalid.to_string().starts_with(&prefix), "{what}: {invalid}");
            let err = ApiError::from(invalid);
            assert_eq!(err.status().as_u16(), 400, "{what}: {err:?}");
            None
        }
    }
}

fn parse<T: DeserializeOwned>(what: &str, req: &lambda_http::Request) -> Option<T> {
    client_ok(what, json_body::<T>(req))
}

/// What a list route does with a page request: parse it, then decode its cursor.
fn page(limit: Option<&str>, cursor: Option<String>) {
    let Some(page) = valid("PageRequest::parse", PageRequest::parse(limit, cursor)) else {
        return;
    };
    assert!((1..=50).contains(&page.limit), "limit {}", page.limit);
    if let Some(cursor) = page.cursor.as_deref() {
        assert!(!cursor.is_empty());
        valid("decode_cursor(feed)", decode_cursor(cursor, ("feed_key", "public"), "id", &["id"]));
    }
}

/// Every string of a JSON value, depth-first (bounded: the body is at most 64 KiB).
fn strings<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match value {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k);
                strings(v, out);
            }
        }
        _ => {}
    }
}

fn request(data: &[u8]) -> lambda_http::Request {
    let body = match std::str::from_utf8(data) {
        _ if data.is_empty() => lambda_http::Body::Empty,
        Ok(text) => lambda_http::Body::Text(text.to_owned()),
        Err(_) => lambda_http::Body::Binary(data.to_vec()),
    };
    lambda_http::http::Request::builder()
        .method("POST")
        .uri("https://example.invalid/videos")
        .header("content-type", "application/json")
        .body(body)
        .expect("a valid request")
}

fuzz_target!(|data: &[u8]| {
    let req = request(data);

    if let Some(value) = parse::<serde_json::Value>("json_body::<Value>", &req) {
        let mut found = Vec::new();
        strings(&value, &mut found);
        for s in found {
            valid("Username::parse", Username::parse(s));
            valid("validate_password", validate_password(s));
            valid("text_field(content)", text_field("content", s, 1, 2000));
            valid("text_field(description)", text_field("description", s, 0, 5000));
        }
        // Query parameters are strings; a JSON object stands in for them here.
        if let Some(map) = value.as_object() {
            let limit = map.get("limit").map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            let cursor = map.get("cursor").and_then(|v| v.as_str()).map(str::to_owned);
            page(limit.as_deref(), cursor);
        }
    }

    if let Some(input) = parse::<Credentials>("json_body::<Credentials>", &req) {
        // register checks both; a valid name is canonical (parses to itself).
        if let Some(name) = valid("Username::parse", Username::parse(&input.username)) {
            assert!(Username::parse(name.as_str()).is_ok_and(|again| again == name), "{name:?}");
        }
        valid("validate_password", validate_password(&input.password));
    }

    if let Some(input) = parse::<PasswordConfirmation>("json_body::<PasswordConfirmation>", &req) {
        valid("validate_password", validate_password(&input.password));
    }

    if let Some(input) = parse::<NewVideo>("json_body::<NewVideo>", &req) {
        if let Some(name) = valid("text_field(name)", text_field("name", &input.name, 1, 200)) {
            assert!((1..=200).contains(&name.chars().count()), "{name:?}");
            assert_eq!(name, name.trim());
        }
        let description = input.description.as_deref().unwrap_or("");
        valid("text_field(description)", text_field("description", description, 0, 5000));
        let _ = (input.content_type, input.size, input.privacy);
    }

    if let Some(input) = parse::<NewPoster>("json_body::<NewPoster>", &req) {
        let _ = (input.content_type, input.size);
    }

    if let Some(input) = parse::<NewComment>("json_body::<NewComment>", &req) {
        valid("text_field(content)", text_field("content", &input.content, 1, 2000));
    }

    // A query string's `limit` is free text: the body stands in for it too.
    let text = String::from_utf8_lossy(data);
    page(Some(&text), None);
    page(None, Some(text.into_owned()));
});
