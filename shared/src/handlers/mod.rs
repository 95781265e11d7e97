//! Route handlers. Each takes the `App` (its ports as traits) and the request.

pub mod accounts;
pub mod comments;
pub mod fallback;
pub mod sweep;
pub mod videos;
pub mod web;
