//! Edits: a video's fields and the index keys that follow from them, in one write.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::search::SEARCH_WRITES;
use super::util::{from_item, s};
use super::videos::{privacy_name, status_name, video_key, FEED_PARTITION};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::Videos;
use crate::domain::search::IndexChange;
use crate::domain::video::{Privacy, Video, VideoEdit, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::ports::{EditOutcome, VideoEditor};
use crate::store::OrUnavailable;

impl VideoEditor for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:UpdateItem", Videos), SEARCH_WRITES]
    }

    async fn edit_video(
        &self,
        id: &str,
        owner: &str,
        edit: &VideoEdit,
        status: Option<VideoStatus>,
    ) -> ApiResult<EditOutcome> {
        let table = self.table(Videos);
        let mut set = Vec::new();
        let mut remove = "";
        // On a failed condition the item comes back, so 403, 404 and 409 cost no read.
        let mut request = self
            .client
            .update_item()
            .table_name(table)
            .set_key(Some(video_key(id)))
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":owner", s(owner))
            // The video as it was: its search terms are replaced with the edited one's.
            .return_values(ReturnValue::AllOld)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        if let Some(name) = &edit.name {
            set.push("#name = :name");
            request = request.expression_attribute_names("#name", "name").expression_attribute_values(":name", s(name));
        }
        if let Some(description) = &edit.description {
            set.push("#description = :description");
            request = request
                .expression_attribute_names("#description", "description")
                .expression_attribute_values(":description", s(description));
        }
        match (status, edit.privacy) {
            (Some(status), privacy) => {
                request = request
                    .condition_expression("#owner = :owner AND #status = :status")
                    .expression_attribute_values(":status", s(status_name(status)));
                if let Some(privacy) = privacy {
                    set.push("#privacy = :privacy");
                    request = request
                        .expression_attribute_names("#privacy", "privacy")
                        .expression_attribute_values(":privacy", s(privacy_name(privacy)));
                    // Listed (feed and the owner's public page) only when ready and public.
                    if status == VideoStatus::Ready && privacy == Privacy::Public {
                        set.push("feed_key = :feed, public_owner_key = :owner");
                        request = request.expression_attribute_values(":feed", s(FEED_PARTITION));
                    } else {
                        remove = " REMOVE feed_key, public_owner_key";
                    }
                }
            }
            (None, None) => {
                request = request
                    .condition_expression("#owner = :owner AND #status <> :rejected")
                    .expression_attribute_values(":rejected", s(status_name(VideoStatus::Rejected)));
            }
            (None, Some(_)) => return Err(ApiError::internal("a privacy change needs the video's status")),
        }
        let set = if set.is_empty() { String::new() } else { format!("SET {}", set.join(", ")) };
        match request.update_expression(format!("{set}{remove}").trim()).send().await {
            Ok(out) => {
                let item = out.attributes.ok_or_else(|| ApiError::internal("UpdateItem returned no video"))?;
                let before: Video = from_item(item)?;
                let after = edit.applied_to(&before);
                // After the edit: a failure is a 503, and the retried edit writes the terms again.
                self.sync_search(&IndexChange::between(Some(&before), Some(&after))).await?;
                Ok(EditOutcome::Edited(after))
            }
            Err(err) => match err.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(failed)) => {
                    Ok(EditOutcome::Refused(failed.item.clone().map(from_item).transpose()?))
                }
                _ => Err(err).or_unavailable("UpdateItem", table),
            },
        }
    }
}
