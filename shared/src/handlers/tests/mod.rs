//! Fast handler tests on in-memory fakes of the capabilities. They check the
//! handlers' rules (throttling, visibility, ownership, the error model); what
//! storage does is proved by the integration tests on the real emulators.

mod fakes;
mod follows;
mod likes;
mod login;
mod playback;
#[cfg(feature = "playlists")]
mod playlist;
mod search;
mod share;
mod sweep;
mod videos;
mod views;
mod web;

use lambda_http::{Body, Request, RequestExt};

/// A request with an optional bearer token, JSON body and `{id}` parameter.
fn request(method: &str, token: Option<&str>, body: Option<serde_json::Value>, id: Option<&str>) -> Request {
    let mut builder = http::Request::builder().method(method).uri("http://localhost/");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let body = body.map(|b| Body::Binary(serde_json::to_vec(&b).unwrap())).unwrap_or(Body::Empty);
    let req = builder.body(body).unwrap();
    match id {
        Some(id) => req.with_path_parameters(std::collections::HashMap::from([("id".to_owned(), id.to_owned())])),
        None => req,
    }
}

/// The status and error code a handler's result maps to.
fn outcome(result: crate::ApiResult<lambda_http::Response<Body>>) -> (u16, Option<&'static str>) {
    match result {
        Ok(response) => (response.status().as_u16(), None),
        Err(err) => (err.status().as_u16(), Some(err.code())),
    }
}
