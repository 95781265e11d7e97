//! Route handlers. Each takes the `App` (its ports as traits) and the request.

pub mod accounts;
pub mod fallback;
