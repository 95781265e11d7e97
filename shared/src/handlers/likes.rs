//! `PUT` and `DELETE /videos/{id}/like`: idempotent, signed in, and only on a
//! video the caller may see. Each is one transaction (see `ports::likes`).

use http::StatusCode;
use lambda_http::{Body, Request, Response};

use super::Handler;
use crate::access::Access;
use crate::auth::require_session;
use crate::domain::now_epoch;
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, video_id_param};
use crate::ports::{LikeOutcome, Liker, SessionReader, Unliker};

/// 204 whether or not anything changed, so a retry looks like the first try.
fn answer(outcome: LikeOutcome) -> ApiResult<Response<Body>> {
    match outcome {
        LikeOutcome::Changed | LikeOutcome::Unchanged => Ok(empty_response(StatusCode::NO_CONTENT)),
        LikeOutcome::NotFound => Err(ApiError::NotFound("video")),
    }
}

/// `PUT /videos/{id}/like`.
pub struct LikeVideo<S, L> {
    pub sessions: S,
    pub likes: L,
}

impl<S: SessionReader + 'static, L: Liker + 'static> Handler for LikeVideo<S, L> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.likes.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        answer(self.likes.like(&id, session.username.as_str(), now_epoch()).await?)
    }
}

/// `DELETE /videos/{id}/like`.
pub struct UnlikeVideo<S, U> {
    pub sessions: S,
    pub likes: U,
}

impl<S: SessionReader + 'static, U: Unliker + 'static> Handler for UnlikeVideo<S, U> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.likes.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        answer(self.likes.unlike(&id, session.username.as_str()).await?)
    }
}
