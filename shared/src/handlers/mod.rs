//! Route handlers. Each is a struct of the capabilities it uses, generic over
//! their adapters, so a function links only what its handler calls.

use std::future::Future;

use lambda_http::{Body, Request, Response};

use crate::access::Access;
use crate::error::ApiResult;

pub mod accounts;
pub mod comments;
pub mod complete;
pub mod delete_user;
pub mod edit;
pub mod fallback;
pub mod follows;
mod guesses;
pub mod ladder;
pub mod likes;
pub mod media;
pub mod playback;
#[cfg(feature = "playlists")]
pub mod playlist;
pub mod posters;
mod probe;
pub mod search;
pub mod share;
pub mod sweep;
pub mod transcode_events;
pub mod uploads;
pub mod videos;
pub mod views;
pub mod web;

/// One route: what it may touch, and how it answers.
pub trait Handler: Send + Sync + 'static {
    /// The storage actions its capabilities need (its IAM policy).
    fn access(&self) -> Vec<Access>;
    fn handle(&self, req: Request) -> impl Future<Output = ApiResult<Response<Body>>> + Send;
}

#[cfg(test)]
mod tests;
