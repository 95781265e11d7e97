//! The videos table: reads, lists, the upload lifecycle, views and posters.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{Delete, ReturnValue, TransactWriteItem, Update};

use super::util::{built, from_item, is_conditional_failure, n, query_page, s, to_item, Item};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Deletions, Videos};
use crate::domain::page::{Page, PageRequest};
use crate::domain::video::{DeletionRecord, Privacy, Video, VideoStatus};
use crate::error::ApiResult;
use crate::ports::{
    FeedReader, Outcome, OwnedVideos, OwnerVideos, PendingExpirer, PosterSetter, ReadyInfo, UploadSettler,
    VideoCreator, VideoReader, VideoRemover, ViewCounter,
};
use crate::store::OrUnavailable;

const FEED_PARTITION: &str = "public";
const PENDING_PARTITION: &str = "pending";
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
    /// After a failed owner condition: someone else's video that the caller
    /// may see is forbidden; one it may not see is as good as missing.
    pub(super) async fn missing_or_forbidden(&self, id: &str, caller: &str) -> ApiResult<Outcome> {
        Ok(match VideoReader::get_video(self, id).await? {
            Some(video) if video.visible_to(Some(caller)) => Outcome::Forbidden,
            _ => Outcome::NotFound,
        })
    }

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
        vec![Access::dynamodb("dynamodb:PutItem", Videos)]
    }

    async fn create_video(&self, video: &Video) -> ApiResult<()> {
        let table = self.table(Videos);
        let put = self
            .client
            .put_item()
            .table_name(table)
            .set_item(Some(video_item(video)?))
            .condition_expression("attribute_not_exists(id)");
        put.send().await.or_unavailable("PutItem", table)?;
        Ok(())
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

impl UploadSettler for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:UpdateItem", Videos), Access::dynamodb("dynamodb:PutItem", Deletions)]
    }

    async fn mark_ready(&self, video: &Video, info: &ReadyInfo) -> ApiResult<Option<Video>> {
        let table = self.table(Videos);
        let mut set = vec!["#status = :ready"];
        let mut request = self
            .client
            .update_item()
            .table_name(table)
            .set_key(Some(video_key(&video.id)))
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
            Ok(out) => out.attributes.map(from_item).transpose(),
            Err(err) if is_conditional_failure(&err) => Ok(None),
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }

    async fn reject_video(&self, id: &str, record: &DeletionRecord) -> ApiResult<bool> {
        let update = Update::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(id)))
            .update_expression("SET #status = :rejected REMOVE pending_key")
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":rejected", s("rejected"))
            .expression_attribute_values(":pending", s("pending"))
            .build();
        self.write_with_record(TransactWriteItem::builder().update(built(update)?).build(), record).await
    }
}

impl VideoRemover for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:DeleteItem", Videos),
            Access::dynamodb("dynamodb:PutItem", Deletions),
            // Telling a stranger's video from a missing one after a failed condition.
            Access::dynamodb("dynamodb:GetItem", Videos),
        ]
    }

    async fn delete_video(&self, id: &str, owner: &str, record: &DeletionRecord) -> ApiResult<Outcome> {
        let delete = Delete::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(id)))
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", s(owner))
            .build();
        if self.write_with_record(TransactWriteItem::builder().delete(built(delete)?).build(), record).await? {
            Ok(Outcome::Done)
        } else {
            self.missing_or_forbidden(id, owner).await
        }
    }
}

impl ViewCounter for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:UpdateItem", Videos)]
    }

    async fn count_view(&self, id: &str, viewer: Option<&str>) -> ApiResult<Option<Video>> {
        let table = self.table(Videos);
        let (mut names, mut values) = visibility_expression(viewer.unwrap_or(""));
        names.insert("#views".into(), "views".into());
        values.insert(":one".into(), n(1));
        let result = self
            .client
            .update_item()
            .table_name(table)
            .set_key(Some(video_key(id)))
            .update_expression("ADD #views :one")
            .condition_expression(VISIBLE_TO_VIEWER)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => out.attributes.map(from_item).transpose(),
            Err(err) if is_conditional_failure(&err) => Ok(None),
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }
}

impl PosterSetter for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:UpdateItem", Videos), Access::dynamodb("dynamodb:GetItem", Videos)]
    }

    async fn set_poster(&self, id: &str, owner: &str, content_type: &str) -> ApiResult<Outcome> {
        let table = self.table(Videos);
        let result = self
            .client
            .update_item()
            .table_name(table)
            .set_key(Some(video_key(id)))
            .update_expression("SET poster_content_type = :type")
            .condition_expression("#owner = :owner")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":type", s(content_type))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_conditional_failure(&err) => self.missing_or_forbidden(id, owner).await,
            Err(err) => Err(err).or_unavailable("UpdateItem", table),
        }
    }
}

impl PendingExpirer for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::index(Videos, "pending_uploads"),
            Access::dynamodb("dynamodb:DeleteItem", Videos),
            Access::dynamodb("dynamodb:PutItem", Deletions),
        ]
    }

    async fn expired_pending(&self, before: i64, limit: u32) -> ApiResult<Vec<String>> {
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
        let ids = out.items.unwrap_or_default();
        Ok(ids.iter().filter_map(|item| item.get("id").and_then(|v| v.as_s().ok()).cloned()).collect())
    }

    async fn expire_pending(&self, id: &str, record: &DeletionRecord) -> ApiResult<bool> {
        let delete = Delete::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(id)))
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s("pending"))
            .build();
        self.write_with_record(TransactWriteItem::builder().delete(built(delete)?).build(), record).await
    }
}
