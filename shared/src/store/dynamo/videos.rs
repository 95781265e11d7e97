//! The videos table: reads, lists, the upload lifecycle and posters.

use std::collections::HashMap;

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};

use super::search::SEARCH_WRITES;
use super::util::{built, failed_conditions, from_item, is_transaction_conflict, n, query_page, s, to_item, Item};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Deletions, Users, Videos};
use crate::domain::page::{Page, PageRequest};
use crate::domain::search::IndexChange;
use crate::domain::transcode::JobState;
use crate::domain::video::{DeletionRecord, Privacy, Video, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::ports::{FeedReader, OwnedVideos, OwnerVideos, PendingExpirer, VideoCreator, VideoReader, VideoRemover};
use crate::store::OrUnavailable;

pub(super) const FEED_PARTITION: &str = "public";
pub(super) const CONFLICT_ATTEMPTS: u32 = 4;
pub(super) const PENDING_PARTITION: &str = "pending";
/// Who may see a video, as a condition: its owner, or anyone if ready and not private.
pub(super) const VISIBLE_TO_VIEWER: &str =
    "attribute_exists(id) AND (#owner = :viewer OR (#status = :ready AND #privacy <> :private))";

/// The names and values `VISIBLE_TO_VIEWER` uses.
pub(super) fn visibility_expression(viewer: &str) -> (HashMap<String, String>, Item) {
    let names = [("#owner", "owner"), ("#status", "status"), ("#privacy", "privacy")]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let values =
        [(":viewer", s(viewer)), (":ready", s("ready")), (":private", s("private"))].map(|(k, v)| (k.to_owned(), v));
    (HashMap::from(names), Item::from(values))
}

pub(super) fn status_name(status: VideoStatus) -> &'static str {
    match status {
        VideoStatus::Pending => "pending",
        VideoStatus::Processing => "processing",
        VideoStatus::Ready => "ready",
        VideoStatus::Rejected => "rejected",
        VideoStatus::Failed => "failed",
    }
}

pub(super) fn privacy_name(privacy: Privacy) -> &'static str {
    match privacy {
        Privacy::Public => "public",
        Privacy::Unlisted => "unlisted",
        Privacy::Private => "private",
    }
}

/// A video turning ready joins the feed and its owner's public page if it is public.
pub(super) fn list_if_public(
    set: &mut Vec<&'static str>,
    request: UpdateItemFluentBuilder,
    video: &Video,
) -> UpdateItemFluentBuilder {
    if video.privacy != Privacy::Public {
        return request;
    }
    set.push("feed_key = :feed, public_owner_key = :owner");
    request
        .expression_attribute_values(":feed", s(FEED_PARTITION))
        .expression_attribute_values(":owner", s(&video.owner))
}

pub(super) fn state_name(state: JobState) -> &'static str {
    match state {
        JobState::Submitting => "submitting",
        JobState::Submitted => "submitted",
        JobState::Progressing => "progressing",
        JobState::Complete => "complete",
        JobState::Error => "error",
    }
}

pub(super) fn video_key(id: &str) -> Item {
    Item::from([("id".to_owned(), s(id))])
}

/// The stored item: the video plus its sparse index keys.
fn video_item(video: &Video) -> ApiResult<Item> {
    let mut item = to_item(video)?;
    item.insert("owner_key".into(), s(&video.owner));
    if video.is_listed() {
        item.insert("feed_key".into(), s(FEED_PARTITION));
        item.insert("public_owner_key".into(), s(&video.owner));
    }
    if video.status == VideoStatus::Pending {
        item.insert("pending_key".into(), s(PENDING_PARTITION));
    }
    Ok(item)
}

impl Dynamo {
    async fn query_videos(&self, index: &str, partition: (&str, &str), page: &PageRequest) -> ApiResult<Page<Video>> {
        query_page(&self.client, self.table(Videos), Some(index), partition, "id", &["id"], page).await
    }
}

impl VideoReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:GetItem", Videos)]
    }

    async fn get_video(&self, id: &str) -> ApiResult<Option<Video>> {
        self.get(Videos, video_key(id)).await
    }
}

impl VideoCreator for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:UpdateItem", Users), Access::dynamodb("dynamodb:PutItem", Videos)]
    }

    async fn create_video(&self, video: &Video, quota_bytes: u64) -> ApiResult<()> {
        let quota_exceeded = ApiError::QuotaExceeded { needed: video.size, quota: quota_bytes };
        // Concurrent creates cannot pass the quota together: the reservation is conditional.
        let Some(room_left_for) = quota_bytes.checked_sub(video.size) else { return Err(quota_exceeded) };
        let reserve = Update::builder()
            .table_name(self.table(Users))
            .key("username", s(&video.owner))
            .update_expression("SET used_bytes = if_not_exists(used_bytes, :zero) + :size")
            .condition_expression(
                "attribute_exists(username) AND attribute_not_exists(deleted_at) AND (attribute_not_exists(used_bytes) OR used_bytes <= :room)",
            )
            .expression_attribute_values(":zero", n(0))
            .expression_attribute_values(":size", n(video.size))
            .expression_attribute_values(":room", n(room_left_for))
            .build();
        let put = Put::builder()
            .table_name(self.table(Videos))
            .set_item(Some(video_item(video)?))
            .condition_expression("attribute_not_exists(id)")
            .build();
        let (reserve, put) = (built(reserve)?, built(put)?);
        // Creates by one user contend for the user item: a conflict is retried.
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let request = self
                .client
                .transact_write_items()
                .transact_items(TransactWriteItem::builder().update(reserve.clone()).build())
                .transact_items(TransactWriteItem::builder().put(put.clone()).build());
            match request.send().await {
                Ok(_) => return Ok(()),
                Err(err) if failed_conditions(&err).is_some_and(|failed| failed.first() == Some(&true)) => {
                    return Err(quota_exceeded)
                }
                Err(err) if is_transaction_conflict(&err) && attempt < CONFLICT_ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(20 * u64::from(attempt))).await;
                }
                Err(err) => return Err(err).or_unavailable("TransactWriteItems", self.table(Videos)),
            }
        }
        unreachable!("the last attempt returns")
    }
}

impl FeedReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::index(Videos, "feed")]
    }

    async fn list_feed(&self, page: &PageRequest) -> ApiResult<Page<Video>> {
        self.query_videos("feed", ("feed_key", FEED_PARTITION), page).await
    }
}

impl OwnerVideos for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::index(Videos, "by_owner"), Access::index(Videos, "public_by_owner")]
    }

    async fn list_by_owner(&self, owner: &str, include_unlisted: bool, page: &PageRequest) -> ApiResult<Page<Video>> {
        if include_unlisted {
            self.query_videos("by_owner", ("owner_key", owner), page).await
        } else {
            self.query_videos("public_by_owner", ("public_owner_key", owner), page).await
        }
    }
}

impl OwnedVideos for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::index(Videos, "by_owner")]
    }

    async fn owned_videos(&self, owner: &str, page: &PageRequest) -> ApiResult<Page<Video>> {
        self.query_videos("by_owner", ("owner_key", owner), page).await
    }
}

impl VideoRemover for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:DeleteItem", Videos),
            Access::dynamodb("dynamodb:PutItem", Deletions),
            Access::dynamodb("dynamodb:UpdateItem", Users),
            SEARCH_WRITES,
        ]
    }

    async fn delete_video(&self, video: &Video, record: &DeletionRecord) -> ApiResult<bool> {
        // As read: the size given back, and the poster the record covers (or none).
        let poster = match &video.poster_key {
            Some(_) => "poster_key = :poster",
            None => "attribute_not_exists(poster_key)",
        };
        let mut delete = Delete::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(&video.id)))
            .condition_expression(format!("#owner = :owner AND #size = :size AND #status = :status AND {poster}"))
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_names("#size", "size")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":owner", s(&video.owner))
            .expression_attribute_values(":size", n(video.size))
            .expression_attribute_values(":status", s(status_name(video.status)));
        if let Some(key) = &video.poster_key {
            delete = delete.expression_attribute_values(":poster", s(key));
        }
        let delete = delete.build();
        let deleted =
            self.write_with_record(TransactWriteItem::builder().delete(built(delete)?).build(), record, video);
        if !deleted.await? {
            return Ok(false);
        }
        // Gone from search at once anyway (a hit on no video is dropped): a failure leaves
        // only items that no page shows.
        if let Err(err) = self.sync_search(&IndexChange::removing(video)).await {
            tracing::warn!(error = %err.cause(), video = %video.id, "removing a deleted video from search failed");
        }
        Ok(true)
    }
}

impl PendingExpirer for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::index(Videos, "pending_uploads"),
            Access::dynamodb("dynamodb:DeleteItem", Videos),
            Access::dynamodb("dynamodb:PutItem", Deletions),
            Access::dynamodb("dynamodb:UpdateItem", Users),
        ]
    }

    async fn expired_pending(&self, before: i64, limit: u32) -> ApiResult<Vec<Video>> {
        let table = self.table(Videos);
        let out = self
            .client
            .query()
            .table_name(table)
            .index_name("pending_uploads")
            .key_condition_expression("pending_key = :pending AND upload_expires_at < :before")
            .expression_attribute_values(":pending", s(PENDING_PARTITION))
            .expression_attribute_values(":before", n(before))
            .limit(limit as i32)
            .send()
            .await
            .or_unavailable("Query", table)?;
        out.items.unwrap_or_default().into_iter().map(from_item).collect()
    }

    async fn expire_pending(&self, video: &Video, record: &DeletionRecord) -> ApiResult<bool> {
        let delete = Delete::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(&video.id)))
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending"))
            .build();
        self.write_with_record(TransactWriteItem::builder().delete(built(delete)?).build(), record, video).await
    }
}
