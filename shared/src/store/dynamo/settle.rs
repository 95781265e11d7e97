//! The videos table: ending an upload (ready, processing or rejected).

use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem, Update};

use super::search::SEARCH_WRITES;
use super::util::{attribute, built, from_item, is_conditional_failure, n, s};
use super::videos::{list_if_public, privacy_name, state_name, status_name, video_key};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Deletions, Users, Videos};
use crate::domain::transcode::JobState;
use crate::domain::video::{DeletionRecord, Video, VideoStatus};
use crate::error::ApiResult;
use crate::ports::{ReadyInfo, UploadSettler};
use crate::store::OrUnavailable;

impl UploadSettler for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:UpdateItem", Videos),
            Access::dynamodb("dynamodb:PutItem", Deletions),
            Access::dynamodb("dynamodb:UpdateItem", Users),
            SEARCH_WRITES,
        ]
    }

    async fn claim_completion(&self, id: &str, now: i64, until: i64) -> ApiResult<bool> {
        let table = self.table(Videos);
        let claim = self
            .client
            .update_item()
            .table_name(table)
            .set_key(Some(video_key(id)))
            .update_expression("SET completing_until = :until")
            .condition_expression(
                "#status = :pending AND (attribute_not_exists(completing_until) OR completing_until < :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":until", n(until));
        match claim.send().await {
            Ok(_) => Ok(true),
            Err(err) if is_conditional_failure(&err) => Ok(false),
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }

    async fn release_completion(&self, id: &str) -> ApiResult<()> {
        let table = self.table(Videos);
        let release = self
            .client
            .update_item()
            .table_name(table)
            .set_key(Some(video_key(id)))
            .update_expression("REMOVE completing_until")
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending"));
        match release.send().await {
            Ok(_) => Ok(()),
            Err(err) if is_conditional_failure(&err) => Ok(()),
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }

    async fn mark_ready(&self, video: &Video, info: &ReadyInfo) -> ApiResult<Option<Video>> {
        let ready = self.settle(video, info, VideoStatus::Ready).await?;
        if let Some(ready) = &ready {
            self.index_published(ready).await;
        }
        Ok(ready)
    }

    async fn mark_processing(&self, video: &Video, info: &ReadyInfo) -> ApiResult<Option<Video>> {
        self.settle(video, info, VideoStatus::Processing).await
    }

    async fn job_submitted(&self, id: &str, job_id: &str) -> ApiResult<()> {
        let table = self.table(Videos);
        let record = self
            .client
            .update_item()
            .table_name(table)
            .set_key(Some(video_key(id)))
            .update_expression("SET transcode.#state = :submitted, transcode.job_id = :job")
            .condition_expression("transcode.#state = :submitting")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":submitted", s(state_name(JobState::Submitted)))
            .expression_attribute_values(":submitting", s(state_name(JobState::Submitting)))
            .expression_attribute_values(":job", s(job_id));
        match record.send().await {
            Ok(_) => Ok(()),
            // An event of the job came first, or the video is gone: nothing to record.
            Err(err) if is_conditional_failure(&err) => Ok(()),
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }

    async fn reject_video(&self, video: &Video, record: &DeletionRecord) -> ApiResult<bool> {
        let update = Update::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(&video.id)))
            // A rejected video has no poster: its record sweeps every poster object.
            .update_expression(
                "SET #status = :rejected REMOVE pending_key, upload_id, completing_until, poster_key, \
                 poster_content_type, pending_poster_key, pending_poster_content_type, pending_poster_until",
            )
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":rejected", s("rejected"))
            .expression_attribute_values(":pending", s("pending"))
            .build();
        self.write_with_record(TransactWriteItem::builder().update(built(update)?).build(), record, video).await
    }
}

impl Dynamo {
    /// pending → `status` (ready or processing) with what `/complete` found, in
    /// one conditional write on the privacy as read (the index keys follow
    /// from it). A ready public video joins the feed and its owner's list.
    async fn settle(&self, video: &Video, info: &ReadyInfo, status: VideoStatus) -> ApiResult<Option<Video>> {
        let table = self.table(Videos);
        let mut set = vec!["#status = :status"];
        let mut request = self
            .client
            .update_item()
            .table_name(table)
            .set_key(Some(video_key(&video.id)))
            .condition_expression("#status = :pending AND #privacy = :privacy")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#privacy", "privacy")
            .expression_attribute_values(":status", s(status_name(status)))
            .expression_attribute_values(":pending", s("pending"))
            .expression_attribute_values(":privacy", s(privacy_name(video.privacy)))
            .return_values(ReturnValue::AllNew);
        if let Some(duration) = info.duration_seconds {
            set.push("duration_seconds = :duration");
            request = request.expression_attribute_values(":duration", n(duration));
        }
        if let Some(width) = info.width {
            set.push("width = :width");
            request = request.expression_attribute_values(":width", n(width));
        }
        if let Some(height) = info.height {
            set.push("height = :height");
            request = request.expression_attribute_values(":height", n(height));
        }
        if let Some(media) = &info.media {
            set.push("media = :media");
            request = request.expression_attribute_values(":media", attribute(media)?);
        }
        if let Some(transcode) = &info.transcode {
            set.push("transcode = :transcode");
            request = request.expression_attribute_values(":transcode", attribute(transcode)?);
        }
        if status == VideoStatus::Ready {
            request = list_if_public(&mut set, request, video);
        }
        let expression = format!("SET {} REMOVE pending_key, upload_id, completing_until", set.join(", "));
        match request.update_expression(expression).send().await {
            Ok(out) => out.attributes.map(from_item).transpose(),
            Err(err) if is_conditional_failure(&err) => Ok(None),
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }
}
