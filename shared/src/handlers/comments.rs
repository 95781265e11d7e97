//! Comments on a video: post, list (newest first) and delete.

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use super::videos::visible_video;
use super::views::CommentView;
use super::Handler;
use crate::access::Access;
use crate::auth::{optional_session, require_session};
use crate::domain::now_epoch;
use crate::domain::video::{parse_id, text_field, Comment};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_body, json_response, page_request, path_param, video_id_param};
use crate::ports::{CommentReader, CommentRemover, CommentWriter, Outcome, SessionReader, VideoReader};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewComment {
    content: String,
}

#[derive(Serialize)]
struct CommentEnvelope {
    comment: CommentView,
}

#[derive(Serialize)]
struct CommentList {
    comments: Vec<CommentView>,
    next_cursor: Option<String>,
}

/// `POST /videos/{id}/comments`: the author comes from the session.
pub struct CreateComment<S, C> {
    pub sessions: S,
    pub comments: C,
}

impl<S: SessionReader + 'static, C: CommentWriter + 'static> Handler for CreateComment<S, C> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.comments.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let video_id = video_id_param(&req)?;
        let input: NewComment = json_body(&req)?;
        let comment = Comment {
            video_id,
            comment_id: uuid::Uuid::now_v7().to_string(),
            author: session.username.to_string(),
            content: text_field("content", &input.content, 1, 2000)?,
            created_at: now_epoch(),
        };
        if !self.comments.add_comment(&comment, session.username.as_str()).await? {
            return Err(ApiError::NotFound("video"));
        }
        Ok(json_response(StatusCode::CREATED, &CommentEnvelope { comment: (&comment).into() }))
    }
}

/// `GET /videos/{id}/comments`
pub struct ListComments<S, V, C> {
    pub sessions: S,
    pub videos: V,
    pub comments: C,
}

impl<S: SessionReader + 'static, V: VideoReader + 'static, C: CommentReader + 'static> Handler
    for ListComments<S, V, C>
{
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.videos.access(), self.comments.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let page_request = page_request(&req)?;
        let viewer = optional_session(&self.sessions, &req).await?;
        let video_id = video_id_param(&req)?;
        visible_video(&self.videos, &video_id, viewer.as_ref()).await?;
        let page = self.comments.list_comments(&video_id, &page_request).await?;
        let comments = page.items.iter().map(CommentView::from).collect();
        Ok(json_response(StatusCode::OK, &CommentList { comments, next_cursor: page.next_cursor }))
    }
}

/// `DELETE /videos/{id}/comments/{comment_id}`: its author or the video's owner.
pub struct DeleteComment<S, C> {
    pub sessions: S,
    pub comments: C,
}

impl<S: SessionReader + 'static, C: CommentRemover + 'static> Handler for DeleteComment<S, C> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.comments.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let video_id = video_id_param(&req)?;
        let comment_id = parse_id(&path_param(&req, "comment_id")?).ok_or(ApiError::NotFound("comment"))?;
        match self.comments.delete_comment(&video_id, &comment_id, session.username.as_str()).await? {
            Outcome::Done => Ok(empty_response(StatusCode::NO_CONTENT)),
            Outcome::NotFound => Err(ApiError::NotFound("comment")),
            Outcome::Forbidden => Err(ApiError::Forbidden("only the author or the video's owner can delete a comment")),
        }
    }
}
