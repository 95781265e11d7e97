//! Comments on a video: post, list (newest first) and delete.

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::auth::{optional_session, require_session};
use crate::domain::now_epoch;
use crate::domain::video::{parse_video_id, text_field, Comment, CommentView, PageRequest};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{empty_response, json_body, json_response, path_param, query_param};
use crate::ports::DeleteOutcome;

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
pub async fn create_comment(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let session = require_session(app, &req).await?;
    let video_id = parse_video_id(&path_param(&req, "id")?)?;
    let input: NewComment = json_body(&req)?;
    let comment = Comment {
        video_id,
        comment_id: uuid::Uuid::now_v7().to_string(),
        author: session.username.to_string(),
        content: text_field("content", &input.content, 1, 2000)?,
        created_at: now_epoch(),
    };
    if !app.comments.add_comment(&comment, session.username.as_str()).await? {
        return Err(ApiError::NotFound("video"));
    }
    Ok(json_response(StatusCode::CREATED, &CommentEnvelope { comment: (&comment).into() }))
}

/// `GET /videos/{id}/comments`
pub async fn list_comments(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let page_request = PageRequest::parse(query_param(&req, "limit").as_deref(), query_param(&req, "cursor"))?;
    let viewer = optional_session(app, &req).await?;
    let video_id = parse_video_id(&path_param(&req, "id")?)?;
    let video = app.videos.get_video(&video_id).await?.ok_or(ApiError::NotFound("video"))?;
    if !video.visible_to(viewer.as_ref().map(|s| s.username.as_str())) {
        return Err(ApiError::NotFound("video"));
    }
    let page = app.comments.list_comments(&video_id, &page_request).await?;
    let comments = page.items.iter().map(CommentView::from).collect();
    Ok(json_response(StatusCode::OK, &CommentList { comments, next_cursor: page.next_cursor }))
}

/// `DELETE /videos/{id}/comments/{comment_id}`: its author or the video's owner.
pub async fn delete_comment(app: &App, req: Request) -> ApiResult<Response<Body>> {
    let session = require_session(app, &req).await?;
    let video_id = parse_video_id(&path_param(&req, "id")?)?;
    let comment_id = parse_video_id(&path_param(&req, "comment_id")?).map_err(|_| ApiError::NotFound("comment"))?;
    match app.comments.delete_comment(&video_id, &comment_id, session.username.as_str()).await? {
        DeleteOutcome::Deleted => Ok(empty_response(StatusCode::NO_CONTENT)),
        DeleteOutcome::NotFound => Err(ApiError::NotFound("comment")),
        DeleteOutcome::Forbidden => Err(ApiError::Forbidden("only the author or the video's owner can delete a comment")),
    }
}
