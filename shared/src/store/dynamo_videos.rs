//! `VideoStore`, `CommentStore` and `DeletionQueue` on DynamoDB: the videos,
//! comments and deletions tables. Every multi-item write is one transaction.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;
use serde_dynamo::{from_item, to_item};

use crate::config::{Config, Table};
use crate::domain::video::{Comment, DeletionRecord, Page, PageRequest, Privacy, Video, VideoStatus};
use crate::error::{ApiError, ApiResult};
use crate::ports::{CommentStore, DeleteOutcome, DeletionQueue, ReadyInfo, VideoStore};
use crate::store::dynamo_util::{
    batch_delete, is_conditional_failure, is_transaction_condition_failure, n, query_all, query_page, s, Item,
};

/// The one partition of the deletions table.
const DELETION_QUEUE: &str = "deletions";
const FEED_PARTITION: &str = "public";
const PENDING_PARTITION: &str = "pending";
/// Who may see a video, as a condition: its owner, or anyone if ready and not private.
const VISIBLE_TO_VIEWER: &str =
    "attribute_exists(id) AND (#owner = :viewer OR (#status = :ready AND #privacy <> :private))";

/// The names and values `VISIBLE_TO_VIEWER` uses.
fn visibility_expression(viewer: &str) -> (HashMap<String, String>, Item) {
    let names = [("#owner", "owner"), ("#status", "status"), ("#privacy", "privacy")]
        .map(|(k, v)| (k.to_owned(), v.to_owned()));
    let values = [(":viewer", s(viewer)), (":ready", s("ready")), (":private", s("private"))]
        .map(|(k, v)| (k.to_owned(), v));
    (HashMap::from(names), Item::from(values))
}

pub struct DynamoVideos {
    client: Client,
    videos: String,
    comments: String,
    deletions: String,
}

impl DynamoVideos {
    pub fn new(client: Client, config: &Config) -> Self {
        DynamoVideos {
            client,
            videos: config.table_name(Table::Videos).to_owned(),
            comments: config.table_name(Table::Comments).to_owned(),
            deletions: config.table_name(Table::Deletions).to_owned(),
        }
    }

    fn video_key(id: &str) -> Item {
        Item::from([("id".to_owned(), s(id))])
    }

    /// The stored item: the video plus its sparse index keys.
    fn video_item(video: &Video) -> ApiResult<Item> {
        let mut item: Item = to_item(video)?;
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

    fn record_put(&self, record: &DeletionRecord) -> ApiResult<TransactWriteItem> {
        let mut item: Item = to_item(record)?;
        item.insert("queue".into(), s(DELETION_QUEUE));
        let put = Put::builder().table_name(&self.deletions).set_item(Some(item)).build().map_err(internal)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// One transaction: a conditional write on a video plus its deletion record.
    /// `Ok(false)` when the write's condition failed (nothing was written).
    async fn write_with_record(&self, write: TransactWriteItem, record: &DeletionRecord) -> ApiResult<bool> {
        let request = self.client.transact_write_items().transact_items(write).transact_items(self.record_put(record)?);
        self.transact(request).await
    }

    /// Runs a transaction; `Ok(false)` when one of its conditions failed.
    async fn transact(&self, request: TransactWriteItemsFluentBuilder) -> ApiResult<bool> {
        match request.send().await {
            Ok(_) => Ok(true),
            Err(err) if is_transaction_condition_failure(&err) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// After a failed owner condition: someone else's video that the caller
    /// may see is forbidden; one it may not see is as good as missing.
    async fn missing_or_forbidden(&self, id: &str, caller: &str) -> ApiResult<DeleteOutcome> {
        Ok(match self.get_video(id).await? {
            Some(video) if video.visible_to(Some(caller)) => DeleteOutcome::Forbidden,
            _ => DeleteOutcome::NotFound,
        })
    }

    async fn query_videos(&self, index: &str, partition: (&str, &str), page: &PageRequest) -> ApiResult<Page<Video>> {
        query_page(&self.client, &self.videos, Some(index), partition, "id", &["id"], page).await
    }
}

fn internal(err: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(err.to_string())
}

#[async_trait]
impl VideoStore for DynamoVideos {
    async fn create_video(&self, video: &Video) -> ApiResult<()> {
        self.client
            .put_item()
            .table_name(&self.videos)
            .set_item(Some(Self::video_item(video)?))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await?;
        Ok(())
    }

    async fn get_video(&self, id: &str) -> ApiResult<Option<Video>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.videos)
            .set_key(Some(Self::video_key(id)))
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.item.map(from_item).transpose()?)
    }

    async fn mark_ready(&self, video: &Video, info: &ReadyInfo) -> ApiResult<Option<Video>> {
        let mut set = vec!["#status = :ready"];
        let mut request = self
            .client
            .update_item()
            .table_name(&self.videos)
            .set_key(Some(Self::video_key(&video.id)))
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":ready", s("ready"))
            .expression_attribute_values(":pending", s("pending"))
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
        if video.privacy == Privacy::Public {
            set.push("feed_key = :feed, public_owner_key = :owner");
            request = request
                .expression_attribute_values(":feed", s(FEED_PARTITION))
                .expression_attribute_values(":owner", s(&video.owner));
        }
        let expression = format!("SET {} REMOVE pending_key", set.join(", "));
        match request.update_expression(expression).send().await {
            Ok(out) => Ok(out.attributes.map(from_item).transpose()?),
            Err(err) if is_conditional_failure(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    async fn reject_video(&self, id: &str, record: &DeletionRecord) -> ApiResult<bool> {
        let update = Update::builder()
            .table_name(&self.videos)
            .set_key(Some(Self::video_key(id)))
            .update_expression("SET #status = :rejected REMOVE pending_key")
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":rejected", s("rejected"))
            .expression_attribute_values(":pending", s("pending"))
            .build()
            .map_err(internal)?;
        self.write_with_record(TransactWriteItem::builder().update(update).build(), record).await
    }

    async fn delete_video(&self, id: &str, owner: &str, record: &DeletionRecord) -> ApiResult<DeleteOutcome> {
        let delete = Delete::builder()
            .table_name(&self.videos)
            .set_key(Some(Self::video_key(id)))
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", s(owner))
            .build()
            .map_err(internal)?;
        if self.write_with_record(TransactWriteItem::builder().delete(delete).build(), record).await? {
            Ok(DeleteOutcome::Deleted)
        } else {
            self.missing_or_forbidden(id, owner).await
        }
    }

    async fn count_view(&self, id: &str, viewer: Option<&str>) -> ApiResult<Option<Video>> {
        let (mut names, mut values) = visibility_expression(viewer.unwrap_or(""));
        names.insert("#views".into(), "views".into());
        values.insert(":one".into(), n(1));
        let result = self
            .client
            .update_item()
            .table_name(&self.videos)
            .set_key(Some(Self::video_key(id)))
            .update_expression("ADD #views :one")
            .condition_expression(VISIBLE_TO_VIEWER)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.attributes.map(from_item).transpose()?),
            Err(err) if is_conditional_failure(&err) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    async fn set_poster(&self, id: &str, owner: &str, content_type: &str) -> ApiResult<DeleteOutcome> {
        let result = self
            .client
            .update_item()
            .table_name(&self.videos)
            .set_key(Some(Self::video_key(id)))
            .update_expression("SET poster_content_type = :type")
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":type", s(content_type))
            .send()
            .await;
        match result {
            Ok(_) => Ok(DeleteOutcome::Deleted),
            Err(err) if is_conditional_failure(&err) => self.missing_or_forbidden(id, owner).await,
            Err(err) => Err(err.into()),
        }
    }

    async fn list_feed(&self, page: &PageRequest) -> ApiResult<Page<Video>> {
        self.query_videos("feed", ("feed_key", FEED_PARTITION), page).await
    }

    async fn list_by_owner(&self, owner: &str, include_unlisted: bool, page: &PageRequest) -> ApiResult<Page<Video>> {
        if include_unlisted {
            self.query_videos("by_owner", ("owner_key", owner), page).await
        } else {
            self.query_videos("public_by_owner", ("public_owner_key", owner), page).await
        }
    }

    async fn expired_pending(&self, before: i64, limit: u32) -> ApiResult<Vec<String>> {
        let out = self
            .client
            .query()
            .table_name(&self.videos)
            .index_name("pending_uploads")
            .key_condition_expression("pending_key = :pending AND upload_expires_at < :before")
            .expression_attribute_values(":pending", s(PENDING_PARTITION))
            .expression_attribute_values(":before", n(before))
            .limit(limit as i32)
            .send()
            .await?;
        Ok(out
            .items
            .unwrap_or_default()
            .iter()
            .filter_map(|item| item.get("id").and_then(|v| v.as_s().ok()).cloned())
            .collect())
    }

    async fn expire_pending(&self, id: &str, record: &DeletionRecord) -> ApiResult<bool> {
        let delete = Delete::builder()
            .table_name(&self.videos)
            .set_key(Some(Self::video_key(id)))
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending"))
            .build()
            .map_err(internal)?;
        self.write_with_record(TransactWriteItem::builder().delete(delete).build(), record).await
    }
}

#[async_trait]
impl CommentStore for DynamoVideos {
    async fn add_comment(&self, comment: &Comment, viewer: &str) -> ApiResult<bool> {
        let (names, values) = visibility_expression(viewer);
        let check = ConditionCheck::builder()
            .table_name(&self.videos)
            .set_key(Some(Self::video_key(&comment.video_id)))
            .condition_expression(VISIBLE_TO_VIEWER)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(internal)?;
        let put = Put::builder()
            .table_name(&self.comments)
            .set_item(Some(to_item(comment)?))
            .condition_expression("attribute_not_exists(comment_id)")
            .build()
            .map_err(internal)?;
        let request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().condition_check(check).build())
            .transact_items(TransactWriteItem::builder().put(put).build());
        self.transact(request).await
    }

    async fn list_comments(&self, video_id: &str, page: &PageRequest) -> ApiResult<Page<Comment>> {
        query_page(&self.client, &self.comments, None, ("video_id", video_id), "comment_id", &[], page).await
    }

    async fn delete_comment(&self, video_id: &str, comment_id: &str, caller: &str) -> ApiResult<DeleteOutcome> {
        let key = Item::from([("video_id".to_owned(), s(video_id)), ("comment_id".to_owned(), s(comment_id))]);
        // The author may delete it...
        let by_author = self
            .client
            .delete_item()
            .table_name(&self.comments)
            .set_key(Some(key.clone()))
            .condition_expression("author = :caller")
            .expression_attribute_values(":caller", s(caller))
            .send()
            .await;
        match by_author {
            Ok(_) => return Ok(DeleteOutcome::Deleted),
            Err(err) if is_conditional_failure(&err) => {}
            Err(err) => return Err(err.into()),
        }
        // ...and so may the video's owner.
        let owns_video = self.get_video(video_id).await?.is_some_and(|v| v.owner == caller);
        let exists = || async {
            let out = self.client.get_item().table_name(&self.comments).set_key(Some(key.clone())).send().await?;
            ApiResult::Ok(out.item.is_some())
        };
        if !owns_video {
            return Ok(if exists().await? { DeleteOutcome::Forbidden } else { DeleteOutcome::NotFound });
        }
        let by_owner = self
            .client
            .delete_item()
            .table_name(&self.comments)
            .set_key(Some(key.clone()))
            .condition_expression("attribute_exists(comment_id)")
            .send()
            .await;
        match by_owner {
            Ok(_) => Ok(DeleteOutcome::Deleted),
            Err(err) if is_conditional_failure(&err) => Ok(DeleteOutcome::NotFound),
            Err(err) => Err(err.into()),
        }
    }

    async fn delete_comments_of(&self, video_ids: &[String]) -> ApiResult<usize> {
        let mut keys = Vec::new();
        for video_id in video_ids {
            keys.extend(query_all(&self.client, &self.comments, None, ("video_id", video_id), "video_id, comment_id").await?);
        }
        let deleted = keys.len();
        batch_delete(&self.client, &self.comments, keys).await?;
        Ok(deleted)
    }
}

#[async_trait]
impl DeletionQueue for DynamoVideos {
    async fn queued(&self, limit: u32, after: Option<&str>) -> ApiResult<Vec<DeletionRecord>> {
        let start = after.map(|video_id| {
            Item::from([("queue".to_owned(), s(DELETION_QUEUE)), ("video_id".to_owned(), s(video_id))])
        });
        let out = self
            .client
            .query()
            .table_name(&self.deletions)
            .key_condition_expression("#queue = :queue")
            .expression_attribute_names("#queue", "queue")
            .expression_attribute_values(":queue", s(DELETION_QUEUE))
            .limit(limit as i32)
            .set_exclusive_start_key(start)
            .consistent_read(true)
            .send()
            .await?;
        Ok(out.items.unwrap_or_default().into_iter().map(from_item).collect::<Result<_, _>>()?)
    }

    async fn remove(&self, video_ids: &[String]) -> ApiResult<()> {
        let keys = video_ids
            .iter()
            .map(|id| Item::from([("queue".to_owned(), s(DELETION_QUEUE)), ("video_id".to_owned(), s(id))]))
            .collect();
        batch_delete(&self.client, &self.deletions, keys).await?;
        Ok(())
    }
}
