//! What a deleted account left, found through indexes and deleted a page at a
//! time. Index reads lag writes; the purge runs `account_purge_delay_secs`
//! after the deletion, when every write made before it shows.

use super::accounts::PURGE_QUEUE;
use super::util::{batch_delete, from_item, is_conditional_failure, n, s, Item};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Comments, Follows, Likes, Sessions, Users, Videos};
use crate::domain::account::{User, Username};
use crate::error::ApiResult;
use crate::ports::AccountPurger;
use crate::store::OrUnavailable;

/// Keys per page: four BatchWriteItem calls.
const KEYS_PER_PAGE: i32 = 100;

impl Dynamo {
    /// The table keys of the first page of one index partition.
    pub(super) async fn first_keys(
        &self,
        table: crate::config::Table,
        index: &str,
        partition: (&str, &str),
        key: &[&str],
    ) -> ApiResult<Vec<Item>> {
        let name = self.table(table);
        let out = self
            .client
            .query()
            .table_name(name)
            .index_name(index)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", partition.0)
            .expression_attribute_values(":pk", s(partition.1))
            .limit(KEYS_PER_PAGE)
            .send()
            .await
            .or_unavailable("Query", name)?;
        let keys = out.items.unwrap_or_default().into_iter();
        Ok(keys.map(|item| item.into_iter().filter(|(attr, _)| key.contains(&attr.as_str())).collect()).collect())
    }
}

impl AccountPurger for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::index(Users, "purge_queue"),
            Access::dynamodb("dynamodb:DeleteItem", Users),
            Access::index(Comments, "by_author"),
            Access::dynamodb("dynamodb:BatchWriteItem", Comments),
            Access::index(Sessions, "by_user"),
            Access::dynamodb("dynamodb:BatchWriteItem", Sessions),
            Access::index(Likes, "by_user"),
            Access::dynamodb("dynamodb:DeleteItem", Likes),
            Access::dynamodb("dynamodb:UpdateItem", Videos),
            Access::dynamodb("dynamodb:Query", Follows),
            Access::dynamodb("dynamodb:BatchWriteItem", Follows),
            Access::index(Follows, "by_followee"),
            Access::dynamodb("dynamodb:DeleteItem", Follows),
            Access::dynamodb("dynamodb:UpdateItem", Users),
        ]
    }

    async fn due_purges(&self, now: i64, limit: u32) -> ApiResult<Vec<User>> {
        let table = self.table(Users);
        let out = self
            .client
            .query()
            .table_name(table)
            .index_name("purge_queue")
            .key_condition_expression("purge_queue = :queue AND purge_after <= :now")
            .expression_attribute_values(":queue", s(PURGE_QUEUE))
            .expression_attribute_values(":now", n(now))
            .limit(limit as i32)
            .send()
            .await
            .or_unavailable("Query", table)?;
        out.items.unwrap_or_default().into_iter().map(from_item).collect()
    }

    async fn delete_comments_by(&self, author: &Username) -> ApiResult<usize> {
        let keys = self.first_keys(Comments, "by_author", ("author", author.as_str()), &["video_id", "comment_id"]);
        let keys = keys.await?;
        let deleted = keys.len();
        batch_delete(&self.client, self.table(Comments), keys).await?;
        Ok(deleted)
    }

    async fn take_back_likes_of(&self, username: &Username) -> ApiResult<usize> {
        let keys = self.first_keys(Likes, "by_user", ("username", username.as_str()), &["video_id", "username"]);
        let keys = keys.await?;
        for key in &keys {
            self.take_back_like(key).await?;
        }
        Ok(keys.len())
    }

    async fn delete_sessions_of(&self, username: &Username) -> ApiResult<usize> {
        let keys = self.first_keys(Sessions, "by_user", ("username", username.as_str()), &["session_hash"]).await?;
        let deleted = keys.len();
        batch_delete(&self.client, self.table(Sessions), keys).await?;
        Ok(deleted)
    }

    async fn delete_follows_by(&self, username: &Username) -> ApiResult<usize> {
        let table = self.table(Follows);
        let out = self
            .client
            .query()
            .table_name(table)
            .key_condition_expression("follower = :follower")
            .expression_attribute_values(":follower", s(username.as_str()))
            .projection_expression("follower, followee")
            // Consistent: a follow deleted by the last page is not read again.
            .consistent_read(true)
            .limit(KEYS_PER_PAGE)
            .send()
            .await
            .or_unavailable("Query", table)?;
        let keys = out.items.unwrap_or_default();
        let deleted = keys.len();
        batch_delete(&self.client, table, keys).await?;
        Ok(deleted)
    }

    async fn delete_follows_of(&self, username: &Username) -> ApiResult<usize> {
        let keys = self.first_keys(Follows, "by_followee", ("followee", username.as_str()), &["follower", "followee"]);
        let keys = keys.await?;
        for key in &keys {
            let Some(follower) = key.get("follower").and_then(|v| v.as_s().ok()) else { continue };
            // Each with its follower's count, so the follower may follow someone else instead.
            let items = [self.follow_delete(follower, username.as_str())?, self.following_add(follower, -1, None)?];
            if let Some([false, true]) = self.follow_transaction(&items).await?.as_deref() {
                // The follower is gone too: there is no count to keep.
                let table = self.table(Follows);
                let delete = self.client.delete_item().table_name(table).set_key(Some(key.clone()));
                delete.send().await.or_unavailable("DeleteItem", table)?;
            }
        }
        Ok(keys.len())
    }

    async fn forget_account(&self, user: &User) -> ApiResult<()> {
        let table = self.table(Users);
        let forgotten = self
            .client
            .delete_item()
            .table_name(table)
            .key("username", s(user.username.as_str()))
            .condition_expression("generation = :generation AND attribute_exists(deleted_at)")
            .expression_attribute_values(":generation", s(&user.generation))
            .send()
            .await;
        match forgotten {
            Ok(_) => Ok(()),
            Err(err) if is_conditional_failure(&err) => Ok(()),
            Err(err) => Err(err).or_unavailable("DeleteItem", table),
        }
    }
}
