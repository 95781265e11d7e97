//! vidlet's library: everything but the thin `main.rs` of each function.
//! The AWS adapters are behind the `dynamodb` and `s3` features, so a function
//! (or a fuzz target) compiles only the SDKs it uses.

pub mod access;
pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod handlers;
pub mod http_io;
pub mod metrics;
pub mod ports;
pub mod routes;
pub mod runtime;
#[cfg(any(feature = "dynamodb", feature = "s3"))]
pub mod store;

pub use config::Config;
pub use error::{ApiError, ApiResult};
