//! View counting: a mark per (video, viewer) that lives for the window, and
//! the video's counter, written together in one transaction.

use std::time::Duration;

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};

use super::util::{built, failed_conditions, is_transaction_conflict, n, s, Item};
use super::videos::{video_key, visibility_expression, CONFLICT_ATTEMPTS, VISIBLE_TO_VIEWER};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Videos, ViewMarks};
use crate::domain::view::{ViewOutcome, ViewerKey};
use crate::error::ApiResult;
use crate::ports::ViewCounter;
use crate::store::OrUnavailable;

impl Dynamo {
    /// The viewer's mark, written unless a live one exists. TTL deletion lags
    /// by hours, so the condition reads `expires_at` rather than trusting it.
    fn mark_put(&self, id: &str, viewer: &ViewerKey, now: i64, window_secs: i64) -> ApiResult<TransactWriteItem> {
        let item = Item::from([
            ("video_id".to_owned(), s(id)),
            ("viewer".to_owned(), s(viewer.as_str())),
            ("expires_at".to_owned(), n(now + window_secs)),
        ]);
        let put = Put::builder()
            .table_name(self.table(ViewMarks))
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(video_id) OR expires_at <= :now")
            .expression_attribute_values(":now", n(now))
            .build();
        Ok(TransactWriteItem::builder().put(built(put)?).build())
    }

    /// `ADD views 1` on the video, if `user` may see it (the stream's rule).
    fn view_add(&self, id: &str, user: Option<&str>) -> ApiResult<TransactWriteItem> {
        let (mut names, mut values) = visibility_expression(user.unwrap_or(""));
        names.insert("#views".into(), "views".into());
        values.insert(":one".into(), n(1));
        let update = Update::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(id)))
            .update_expression("ADD #views :one")
            .condition_expression(VISIBLE_TO_VIEWER)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .build();
        Ok(TransactWriteItem::builder().update(built(update)?).build())
    }
}

impl ViewCounter for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:PutItem", ViewMarks), Access::dynamodb("dynamodb:UpdateItem", Videos)]
    }

    async fn count_view(
        &self,
        id: &str,
        user: Option<&str>,
        viewer: &ViewerKey,
        now: i64,
        window_secs: i64,
    ) -> ApiResult<ViewOutcome> {
        let (mark, add) = (self.mark_put(id, viewer, now, window_secs)?, self.view_add(id, user)?);
        // Reports of one video contend for its item: a conflict is retried.
        for attempt in 1..=CONFLICT_ATTEMPTS {
            let request = self.client.transact_write_items().transact_items(mark.clone()).transact_items(add.clone());
            match request.send().await {
                Ok(_) => return Ok(ViewOutcome::Counted),
                Err(err) => match failed_conditions(&err).as_deref() {
                    Some([_, true]) => return Ok(ViewOutcome::NotFound),
                    Some([true, false]) => return Ok(ViewOutcome::AlreadyCounted),
                    _ if is_transaction_conflict(&err) && attempt < CONFLICT_ATTEMPTS => {
                        tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt))).await;
                    }
                    _ => return Err(err).or_unavailable("TransactWriteItems", self.table(Videos)),
                },
            }
        }
        unreachable!("the last attempt returns")
    }
}
