//! Likes: an item per (video, user) in `likes`, and the video's `likes`
//! counter, changed together in one transaction so the count never drifts.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::types::{Delete, KeysAndAttributes, Put, TransactWriteItem, Update};

use super::util::{built, failed_conditions, from_item, is_transaction_conflict, n, s, Item};
use super::videos::{video_key, visibility_expression, CONFLICT_ATTEMPTS, VISIBLE_TO_VIEWER};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Likes, Videos};
use crate::domain::video::Video;
use crate::error::{ApiError, ApiResult};
use crate::ports::{LikeOutcome, LikedVideoReader, Liker, Unliker};
use crate::store::OrUnavailable;

fn like_key(id: &str, user: &str) -> Item {
    Item::from([("video_id".to_owned(), s(id)), ("username".to_owned(), s(user))])
}

impl Dynamo {
    /// `ADD likes <delta>` on the video, if `user` may see it (count-view's rule).
    fn likes_add(&self, id: &str, user: &str, delta: i64) -> ApiResult<TransactWriteItem> {
        let (mut names, mut values) = visibility_expression(user);
        names.insert("#likes".into(), "likes".into());
        values.insert(":delta".into(), n(delta));
        let update = Update::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(id)))
            .update_expression("ADD #likes :delta")
            .condition_expression(VISIBLE_TO_VIEWER)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .build();
        Ok(TransactWriteItem::builder().update(built(update)?).build())
    }

    /// Runs [like write, counter update], retrying conflicts (likes of one
    /// video contend for its item), and reads the cancellation reasons.
    async fn like_transaction(&self, write: TransactWriteItem, add: TransactWriteItem) -> ApiResult<LikeOutcome> {
        let request = || -> TransactWriteItemsFluentBuilder {
            self.client.transact_write_items().transact_items(write.clone()).transact_items(add.clone())
        };
        for attempt in 1..=CONFLICT_ATTEMPTS {
            match request().send().await {
                Ok(_) => return Ok(LikeOutcome::Changed),
                Err(err) => match failed_conditions(&err).as_deref() {
                    Some([_, true]) => return Ok(LikeOutcome::NotFound),
                    Some([true, false]) => return Ok(LikeOutcome::Unchanged),
                    _ if is_transaction_conflict(&err) && attempt < CONFLICT_ATTEMPTS => {
                        tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt))).await;
                    }
                    _ => return Err(err).or_unavailable("TransactWriteItems", self.table(Likes)),
                },
            }
        }
        unreachable!("the last attempt returns")
    }
}

impl Dynamo {
    /// A deleted account's like and its count on the video, in one
    /// transaction; just the like when the video is gone. Idempotent.
    pub(super) async fn take_back_like(&self, key: &Item) -> ApiResult<()> {
        let likes = self.table(Likes);
        let delete = Delete::builder()
            .table_name(likes)
            .set_key(Some(key.clone()))
            .condition_expression("attribute_exists(video_id)")
            .build();
        let Some(video_id) = key.get("video_id").and_then(|v| v.as_s().ok()) else {
            return Ok(());
        };
        let count = Update::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(video_id)))
            .update_expression("ADD #likes :minus_one")
            .condition_expression("attribute_exists(id)")
            .expression_attribute_names("#likes", "likes")
            .expression_attribute_values(":minus_one", n(-1))
            .build();
        let delete = TransactWriteItem::builder().delete(built(delete)?).build();
        let count = TransactWriteItem::builder().update(built(count)?).build();
        let sent = self.client.transact_write_items().transact_items(delete).transact_items(count).send().await;
        match sent {
            Ok(_) => Ok(()),
            Err(err) => match failed_conditions(&err).as_deref() {
                // Taken back already.
                Some([true, _]) => Ok(()),
                // The video is gone: nothing to count down.
                Some([false, true]) => {
                    let delete = self.client.delete_item().table_name(likes).set_key(Some(key.clone()));
                    delete.send().await.or_unavailable("DeleteItem", likes).map(|_| ())
                }
                _ => Err(err).or_unavailable("TransactWriteItems", likes),
            },
        }
    }
}

impl Liker for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:PutItem", Likes), Access::dynamodb("dynamodb:UpdateItem", Videos)]
    }

    async fn like(&self, id: &str, user: &str, now: i64) -> ApiResult<LikeOutcome> {
        let mut item = like_key(id, user);
        item.insert("created_at".into(), n(now));
        let put = Put::builder()
            .table_name(self.table(Likes))
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(video_id)")
            .build();
        let put = TransactWriteItem::builder().put(built(put)?).build();
        self.like_transaction(put, self.likes_add(id, user, 1)?).await
    }
}

impl Unliker for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:DeleteItem", Likes), Access::dynamodb("dynamodb:UpdateItem", Videos)]
    }

    async fn unlike(&self, id: &str, user: &str) -> ApiResult<LikeOutcome> {
        let delete = Delete::builder()
            .table_name(self.table(Likes))
            .set_key(Some(like_key(id, user)))
            .condition_expression("attribute_exists(video_id)")
            .build();
        let delete = TransactWriteItem::builder().delete(built(delete)?).build();
        self.like_transaction(delete, self.likes_add(id, user, -1)?).await
    }
}

impl LikedVideoReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:BatchGetItem", Videos), Access::dynamodb("dynamodb:BatchGetItem", Likes)]
    }

    async fn video_and_like(&self, id: &str, user: Option<&str>) -> ApiResult<(Option<Video>, Option<bool>)> {
        let (videos, likes) = (self.table(Videos), self.table(Likes));
        let read = |key: Item| built(KeysAndAttributes::builder().keys(key).consistent_read(true).build());
        let mut request = HashMap::from([(videos.to_owned(), read(video_key(id))?)]);
        if let Some(user) = user {
            // Only the key is needed: its presence is the answer.
            let like = KeysAndAttributes::builder().keys(like_key(id, user)).consistent_read(true);
            request.insert(likes.to_owned(), built(like.projection_expression("video_id").build())?);
        }
        let (mut video, mut liked) = (None, user.map(|_| false));
        // BatchGetItem may leave keys unprocessed under load: ask again for those.
        for _ in 0..3 {
            let batch = self.client.batch_get_item().set_request_items(Some(request));
            let out = batch.send().await.or_unavailable("BatchGetItem", videos)?;
            let mut found = out.responses.unwrap_or_default();
            if let Some(item) = found.remove(videos).and_then(|items| items.into_iter().next()) {
                video = Some(from_item(item)?);
            }
            if found.remove(likes).is_some_and(|items| !items.is_empty()) {
                liked = Some(true);
            }
            request = out.unprocessed_keys.unwrap_or_default();
            if request.is_empty() {
                return Ok((video, liked));
            }
        }
        Err(ApiError::unavailable(format!("BatchGetItem {videos}"), "keys left unprocessed"))
    }
}
