//! Follows: an item per (follower, followee) in `follows`, and the follower's
//! `following` counter on its user item, changed together in one transaction,
//! so the per-user cap holds under concurrent follows.

use std::time::Duration;

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};

use super::util::{built, failed_conditions, from_item, is_transaction_conflict, n, s, Item};
use super::videos::CONFLICT_ATTEMPTS;
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Follows, Users};
use crate::domain::account::Username;
use crate::domain::page::{decode_cursor_of, encode_cursor, Cursor, Page, PageRequest};
use crate::error::ApiResult;
use crate::ports::{FollowOutcome, Followed, Follower, FollowingReader, Unfollower};
use crate::store::OrUnavailable;

/// A user item that is there and not deleted.
const LIVE_USER: &str = "attribute_exists(username) AND attribute_not_exists(deleted_at)";

pub(super) fn follow_key(follower: &str, followee: &str) -> Item {
    Item::from([("follower".to_owned(), s(follower)), ("followee".to_owned(), s(followee))])
}

fn user_key(username: &str) -> Item {
    Item::from([("username".to_owned(), s(username))])
}

impl Dynamo {
    /// `ADD following <delta>` on a user that is there; with `cap`, only on a
    /// live user who follows fewer than `cap`.
    pub(super) fn following_add(&self, username: &str, delta: i64, cap: Option<u32>) -> ApiResult<TransactWriteItem> {
        let update = Update::builder()
            .table_name(self.table(Users))
            .set_key(Some(user_key(username)))
            .update_expression("ADD following :delta")
            .expression_attribute_values(":delta", n(delta));
        let update = match cap {
            Some(cap) => update
                .condition_expression(format!("{LIVE_USER} AND (attribute_not_exists(following) OR following < :cap)"))
                .expression_attribute_values(":cap", n(cap)),
            None => update.condition_expression("attribute_exists(username)"),
        };
        Ok(TransactWriteItem::builder().update(built(update.build())?).build())
    }

    /// The follow's delete, if it exists, for a transaction.
    pub(super) fn follow_delete(&self, follower: &str, followee: &str) -> ApiResult<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(self.table(Follows))
            .set_key(Some(follow_key(follower, followee)))
            .condition_expression("attribute_exists(follower)")
            .build();
        Ok(TransactWriteItem::builder().delete(built(delete)?).build())
    }

    fn live_user_check(&self, username: &str) -> ApiResult<TransactWriteItem> {
        let check = ConditionCheck::builder()
            .table_name(self.table(Users))
            .set_key(Some(user_key(username)))
            .condition_expression(LIVE_USER)
            .build();
        Ok(TransactWriteItem::builder().condition_check(built(check)?).build())
    }

    /// Runs a transaction, retrying conflicts (a user's follows contend for its
    /// item). None when it went through, else which items failed a condition.
    pub(super) async fn follow_transaction(&self, items: &[TransactWriteItem]) -> ApiResult<Option<Vec<bool>>> {
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let request = self.client.transact_write_items().set_transact_items(Some(items.to_vec()));
            match request.send().await {
                Ok(_) => return Ok(None),
                Err(err) => match failed_conditions(&err) {
                    Some(failed) if failed.contains(&true) => return Ok(Some(failed)),
                    _ if is_transaction_conflict(&err) && attempt < CONFLICT_ATTEMPTS => {
                        tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt))).await;
                    }
                    _ => return Err(err).or_unavailable("TransactWriteItems", self.table(Follows)),
                },
            }
        }
        unreachable!("the last attempt returns")
    }
}

impl Follower for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:UpdateItem", Users),
            Access::dynamodb("dynamodb:ConditionCheckItem", Users),
            Access::dynamodb("dynamodb:PutItem", Follows),
        ]
    }

    async fn follow(&self, follower: &str, followee: &str, now: i64, max_following: u32) -> ApiResult<FollowOutcome> {
        let mut item = follow_key(follower, followee);
        item.insert("created_at".into(), n(now));
        let put = Put::builder()
            .table_name(self.table(Follows))
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(follower)")
            .build();
        let items = [
            self.following_add(follower, 1, Some(max_following))?,
            self.live_user_check(followee)?,
            TransactWriteItem::builder().put(built(put)?).build(),
        ];
        Ok(match self.follow_transaction(&items).await?.as_deref() {
            None => FollowOutcome::Changed,
            Some([_, true, _]) => FollowOutcome::NotFound,
            Some([_, _, true]) => FollowOutcome::Unchanged,
            Some(_) => FollowOutcome::LimitReached,
        })
    }
}

impl Unfollower for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:DeleteItem", Follows),
            Access::dynamodb("dynamodb:UpdateItem", Users),
            Access::dynamodb("dynamodb:ConditionCheckItem", Users),
        ]
    }

    async fn unfollow(&self, follower: &str, followee: &str) -> ApiResult<FollowOutcome> {
        let items = [
            self.follow_delete(follower, followee)?,
            self.following_add(follower, -1, None)?,
            self.live_user_check(followee)?,
        ];
        Ok(match self.follow_transaction(&items).await?.as_deref() {
            None => FollowOutcome::Changed,
            Some([_, _, true]) => FollowOutcome::NotFound,
            Some(_) => FollowOutcome::Unchanged,
        })
    }
}

impl FollowingReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:Query", Follows), Access::dynamodb("dynamodb:GetItem", Follows)]
    }

    async fn list_following(&self, follower: &str, page: &PageRequest) -> ApiResult<Page<Followed>> {
        let table = self.table(Follows);
        let start = match page.cursor.as_deref() {
            Some(raw) => {
                let is_name = |value: &str| Username::parse(value).is_ok();
                let cursor = decode_cursor_of(raw, ("follower", follower), "followee", &[], is_name)?;
                Some(cursor.into_iter().map(|(name, value)| (name, s(value))).collect())
            }
            None => None,
        };
        let out = self
            .client
            .query()
            .table_name(table)
            .key_condition_expression("follower = :follower")
            .expression_attribute_values(":follower", s(follower))
            .limit(page.limit as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .or_unavailable("Query", table)?;
        let items: Vec<Followed> =
            out.items.unwrap_or_default().into_iter().map(from_item).collect::<ApiResult<_>>()?;
        let next_cursor = match (out.last_evaluated_key, items.last()) {
            (Some(_), Some(last)) => Some(encode_cursor(&Cursor::from([
                ("follower".to_owned(), follower.to_owned()),
                ("followee".to_owned(), last.username.clone()),
            ]))),
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    async fn following(&self, follower: &str, followee: &str) -> ApiResult<Option<Followed>> {
        self.get(Follows, follow_key(follower, followee)).await
    }
}
