//! The videos table: a transcode job's outcome, recorded once.

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::ReturnValue;

use super::search::SEARCH_WRITES;
use super::util::{attribute, from_item, is_conditional_failure, s};
use super::videos::{list_if_public, privacy_name, state_name, status_name, video_key};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::Videos;
use crate::domain::transcode::{JobOutcome, JobState};
use crate::domain::video::{Video, VideoStatus};
use crate::error::ApiResult;
use crate::ports::{Recorded, RenditionRecorder};
use crate::store::OrUnavailable;

/// Reads and conditional writes a record may take when edits race it.
const ATTEMPTS: u32 = 3;

impl RenditionRecorder for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:GetItem", Videos),
            Access::dynamodb("dynamodb:UpdateItem", Videos),
            SEARCH_WRITES,
        ]
    }

    async fn record(&self, video_id: &str, job_id: &str, outcome: &JobOutcome) -> ApiResult<Recorded> {
        for _ in 0..ATTEMPTS {
            let Some(video) = self.get::<Video>(Videos, video_key(video_id)).await? else {
                return Ok(Recorded::Gone);
            };
            let Some(request) = self.outcome_write(&video, job_id, outcome)? else {
                return Ok(Recorded::Unchanged);
            };
            let table = self.table(Videos);
            match request.return_values(ReturnValue::AllNew).send().await {
                Ok(out) => {
                    let Some(item) = out.attributes else { return Ok(Recorded::Unchanged) };
                    let after: Video = from_item(item)?;
                    if video.status != VideoStatus::Ready && after.status == VideoStatus::Ready {
                        // Published now: searchable like any video published by /complete.
                        self.index_published(&after).await;
                    }
                    return Ok(Recorded::Applied(Box::new(after)));
                }
                // Changed since read (an edit, another event): read again.
                Err(err) if is_conditional_failure(&err) => continue,
                Err(err) => return Err(err).or_unavailable("UpdateItem", table),
            }
        }
        Ok(Recorded::Unchanged)
    }
}

impl Dynamo {
    /// The one conditional write that applies `outcome` to `video` as read,
    /// or None when it changes nothing: the job ended already, or the event
    /// is of another job.
    fn outcome_write(
        &self,
        video: &Video,
        job_id: &str,
        outcome: &JobOutcome,
    ) -> ApiResult<Option<UpdateItemFluentBuilder>> {
        let Some(transcode) = &video.transcode else { return Ok(None) };
        if transcode.state.is_final() || transcode.job_id.as_deref().is_some_and(|known| known != job_id) {
            return Ok(None);
        }
        if !matches!(video.status, VideoStatus::Processing | VideoStatus::Ready) {
            return Ok(None);
        }
        let mut request = self
            .client
            .update_item()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(&video.id)))
            // As read: its status, its privacy (the index keys follow from them) and its open job.
            .condition_expression("#status = :was AND #privacy = :privacy AND transcode.#state = :state")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#privacy", "privacy")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":was", s(status_name(video.status)))
            .expression_attribute_values(":privacy", s(privacy_name(video.privacy)))
            .expression_attribute_values(":state", s(state_name(transcode.state)))
            .expression_attribute_values(":job", s(job_id));
        let mut set = vec!["transcode.job_id = :job", "transcode.#state = :next"];
        let next = match outcome {
            JobOutcome::Started if transcode.state == JobState::Progressing => return Ok(None),
            JobOutcome::Started => JobState::Progressing,
            JobOutcome::Complete(hls) => {
                set.push("hls = :hls");
                request = request.expression_attribute_values(":hls", attribute(hls)?);
                if video.status == VideoStatus::Processing {
                    set.push("#status = :ready");
                    request = request.expression_attribute_values(":ready", s(status_name(VideoStatus::Ready)));
                    request = list_if_public(&mut set, request, video);
                }
                JobState::Complete
            }
            JobOutcome::Failed { message } => {
                set.push("transcode.#error = :error");
                request = request
                    .expression_attribute_names("#error", "error")
                    .expression_attribute_values(":error", s(message));
                if video.status == VideoStatus::Processing {
                    set.push("#status = :failed");
                    request = request.expression_attribute_values(":failed", s(status_name(VideoStatus::Failed)));
                }
                JobState::Error
            }
        };
        let request = request.expression_attribute_values(":next", s(state_name(next)));
        Ok(Some(request.update_expression(format!("SET {}", set.join(", ")))))
    }
}
