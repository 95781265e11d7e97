//! Posters on the videos table: a pending upload, handed out with its own
//! deletion record, becomes the poster only once confirmed, in a transaction
//! that cancels that record and queues the poster it replaces.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, TransactWriteItem, Update};

use super::deletions::record_key;
use super::util::{built, from_item, n, s};
use super::videos::video_key;
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Deletions, Videos};
use crate::domain::video::{poster_record_id, DeletionRecord, Video, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::ports::{PendingPoster, PosterConfirmer, PosterOutcome, PosterSetter, VideoReader};
use crate::store::OrUnavailable;

/// Only pending and ready videos get posters, and only from their owner.
const OWNED_AND_LIVE: &str = "#owner = :owner AND #status IN (:pending, :ready)";

fn owned_and_live(
    update: aws_sdk_dynamodb::types::builders::UpdateBuilder,
    owner: &str,
) -> aws_sdk_dynamodb::types::builders::UpdateBuilder {
    update
        .expression_attribute_names("#owner", "owner")
        .expression_attribute_names("#status", "status")
        .expression_attribute_values(":owner", s(owner))
        .expression_attribute_values(":pending", s("pending"))
        .expression_attribute_values(":ready", s("ready"))
}

impl PosterSetter for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:UpdateItem", Videos),
            Access::dynamodb("dynamodb:PutItem", Deletions),
            // Why a write was refused.
            Access::dynamodb("dynamodb:GetItem", Videos),
        ]
    }

    async fn offer_poster(
        &self,
        id: &str,
        owner: &str,
        pending: &PendingPoster,
        record: &DeletionRecord,
    ) -> ApiResult<PosterOutcome> {
        let update = Update::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(id)))
            .update_expression(
                "SET pending_poster_key = :key, pending_poster_content_type = :type, pending_poster_until = :until",
            )
            .condition_expression(OWNED_AND_LIVE)
            .expression_attribute_values(":key", s(&pending.key))
            .expression_attribute_values(":type", s(&pending.content_type))
            .expression_attribute_values(":until", n(pending.until));
        let update = built(owned_and_live(update, owner).build())?;
        let request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build())
            .transact_items(self.record_put(record)?);
        if self.transact(request).await? {
            return Ok(PosterOutcome::Done);
        }
        Ok(match VideoReader::get_video(self, id).await? {
            // The owner's, so neither pending nor ready.
            Some(video) if video.owner == owner => PosterOutcome::Rejected,
            Some(video) if video.visible_to(Some(owner)) => PosterOutcome::Forbidden,
            _ => PosterOutcome::NotFound,
        })
    }
}

/// A string attribute of an item.
fn text(item: &super::util::Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

impl PosterConfirmer for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:GetItem", Videos),
            Access::dynamodb("dynamodb:UpdateItem", Videos),
            Access::dynamodb("dynamodb:DeleteItem", Deletions),
            Access::dynamodb("dynamodb:PutItem", Deletions),
        ]
    }

    async fn video_with_pending_poster(&self, id: &str) -> ApiResult<Option<(Video, Option<PendingPoster>)>> {
        let table = self.table(Videos);
        let get = self.client.get_item().table_name(table).set_key(Some(video_key(id))).consistent_read(true);
        let Some(item) = get.send().await.or_unavailable("GetItem", table)?.item else { return Ok(None) };
        let until = match item.get("pending_poster_until") {
            Some(AttributeValue::N(until)) => {
                Some(until.parse::<i64>().map_err(|e| ApiError::internal_from("reading pending_poster_until", e))?)
            }
            _ => None,
        };
        let pending = match (text(&item, "pending_poster_key"), text(&item, "pending_poster_content_type"), until) {
            (Some(key), Some(content_type), Some(until)) => Some(PendingPoster { key, content_type, until }),
            _ => None,
        };
        Ok(Some((from_item(item)?, pending)))
    }

    async fn confirm_poster(
        &self,
        video: &Video,
        pending: &PendingPoster,
        replaced: Option<&DeletionRecord>,
    ) -> ApiResult<bool> {
        if !matches!(video.status, VideoStatus::Pending | VideoStatus::Ready) {
            return Ok(false);
        }
        // As read: the poster it had (the one `replaced` sweeps), or none.
        let poster = match &video.poster_key {
            Some(_) => "poster_key = :old",
            None => "attribute_not_exists(poster_key)",
        };
        let mut update = Update::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(&video.id)))
            .update_expression(
                "SET poster_key = :key, poster_content_type = :type \
                 REMOVE pending_poster_key, pending_poster_content_type, pending_poster_until",
            )
            .condition_expression(format!("{OWNED_AND_LIVE} AND pending_poster_key = :key AND {poster}"))
            .expression_attribute_values(":key", s(&pending.key))
            .expression_attribute_values(":type", s(&pending.content_type));
        if let Some(old) = &video.poster_key {
            update = update.expression_attribute_values(":old", s(old));
        }
        let update = built(owned_and_live(update, &video.owner).build())?;
        // The upload's record goes: it would sweep the new poster. Gone
        // already means the sweep took the object.
        let cancel = Delete::builder()
            .table_name(self.table(Deletions))
            .set_key(Some(record_key(&poster_record_id(&video.id, &pending.key))))
            .condition_expression("attribute_exists(video_id)")
            .build();
        let mut request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build())
            .transact_items(TransactWriteItem::builder().delete(built(cancel)?).build());
        if let Some(record) = replaced {
            request = request.transact_items(self.record_put(record)?);
        }
        self.transact(request).await
    }
}
