//! vidlet's library: everything but the thin `main.rs` of each function.

pub mod app;
pub mod auth;
pub mod config;
pub mod domain;
pub mod error;
pub mod handlers;
pub mod http_io;
pub mod ports;
pub mod routes;
pub mod runtime;
pub mod store;
pub mod telemetry;

pub use app::App;
pub use error::{ApiError, ApiResult};
