//! The nine benchmark items, each returning its BENCHMARKS.md section.

pub mod cold_start;
pub mod concurrency;
pub mod cost;
pub mod following;
pub mod media_cost;
pub mod round_trips;
pub mod search;
pub mod streaming;
pub mod sweep;
pub mod trust_roots;
pub mod upload;
pub mod warm;
