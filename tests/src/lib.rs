//! Test support: each test gets its own tables and bucket in the local stack,
//! and calls handlers through the same response path as the Lambda runtime.

use std::sync::OnceLock;

mod app;
pub mod faults;
mod handlers;
pub mod http_front;
pub mod media;
mod request;
pub mod round_trips;

pub use app::{template, unique, TestApp};
pub use faults::{FaultyLink, PrivateDynamoDb};
pub use handlers::Handler;
pub use request::{Req, TestResponse};
pub use serde_json::json;

/// A committed fixture from `tests/fixtures/`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = infra::repo_root().join("tests").join("fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An HTTP client for presigned URLs; it never follows redirects by itself.
pub fn http_client() -> reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT
        .get_or_init(|| reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap())
        .clone()
}
