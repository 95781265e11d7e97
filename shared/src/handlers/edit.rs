//! `PATCH /videos/{id}`: the owner edits a video's name, description and privacy.

use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use super::views::VideoView;
use super::Handler;
use crate::access::Access;
use crate::auth::require_session;
use crate::domain::video::{Privacy, VideoEdit, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::http_io::{json_body, json_response, video_id_param};
use crate::ports::{EditOutcome, SessionReader, VideoEditor};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditRequest {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    privacy: Option<Privacy>,
}

/// One conditional write: the fields, and for a privacy change the feed and
/// owner-list keys with them. 200 with the video as GET shows it (no stream_url).
pub struct UpdateVideo<S, E> {
    pub sessions: S,
    pub editor: E,
}

impl<S: SessionReader + 'static, E: VideoEditor + 'static> Handler for UpdateVideo<S, E> {
    fn access(&self) -> Vec<Access> {
        [self.sessions.access(), self.editor.access()].concat()
    }

    async fn handle(&self, req: Request) -> ApiResult<Response<Body>> {
        let session = require_session(&self.sessions, &req).await?;
        let id = video_id_param(&req)?;
        let input: EditRequest = json_body(&req)?;
        let edit = VideoEdit::new(input.name.as_deref(), input.description.as_deref(), input.privacy)?;
        let me = session.username.as_str();
        // Keys follow from status and privacy: a privacy change assumes ready
        // (the usual case) and learns the status from a refusal.
        let mut status = edit.privacy.map(|_| VideoStatus::Ready);
        for _ in 0..3 {
            let video = match self.editor.edit_video(&id, me, &edit, status).await? {
                EditOutcome::Edited(video) => return Ok(json_response(StatusCode::OK, &VideoView::from(&video))),
                EditOutcome::Refused(None) => return Err(ApiError::NotFound("video")),
                EditOutcome::Refused(Some(video)) => video,
            };
            if video.owner != me {
                return Err(if video.visible_to(Some(me)) {
                    ApiError::Forbidden("only the owner can edit a video")
                } else {
                    ApiError::NotFound("video")
                });
            }
            if video.status == VideoStatus::Rejected {
                return Err(ApiError::Conflict("a rejected video cannot be edited"));
            }
            status = Some(video.status);
        }
        Err(ApiError::Conflict("the video kept changing while being edited; try again"))
    }
}
