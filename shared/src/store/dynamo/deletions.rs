//! The deletion queue: one partition, ordered by video id.

use aws_sdk_dynamodb::types::Select;

use super::util::{batch_delete, from_item, s, Item};
use super::{Dynamo, DELETION_QUEUE};
use crate::access::Access;
use crate::config::Table::Deletions;
use crate::domain::video::DeletionRecord;
use crate::error::ApiResult;
use crate::ports::{DeletionQueue, RecordQueuer};
use crate::store::OrUnavailable;

pub(super) fn record_key(video_id: &str) -> Item {
    Item::from([("queue".to_owned(), s(DELETION_QUEUE)), ("video_id".to_owned(), s(video_id))])
}

impl RecordQueuer for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:PutItem", Deletions)]
    }

    async fn queue(&self, record: &DeletionRecord) -> ApiResult<()> {
        let table = self.table(Deletions);
        let put = self.client.put_item().table_name(table).set_item(Some(self.record_item(record)?));
        put.send().await.or_unavailable("PutItem", table)?;
        Ok(())
    }
}

impl DeletionQueue for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:Query", Deletions), Access::dynamodb("dynamodb:BatchWriteItem", Deletions)]
    }

    async fn queued(&self, limit: u32, after: Option<&str>) -> ApiResult<Vec<DeletionRecord>> {
        let table = self.table(Deletions);
        let out = self
            .client
            .query()
            .table_name(table)
            .key_condition_expression("#queue = :queue")
            .expression_attribute_names("#queue", "queue")
            .expression_attribute_values(":queue", s(DELETION_QUEUE))
            .limit(limit as i32)
            .set_exclusive_start_key(after.map(record_key))
            .consistent_read(true)
            .send()
            .await
            .or_unavailable("Query", table)?;
        out.items.unwrap_or_default().into_iter().map(from_item).collect()
    }

    async fn count_queued(&self, after: Option<&str>, at_most: usize) -> ApiResult<usize> {
        let table = self.table(Deletions);
        let (mut count, mut start) = (0, after.map(record_key));
        while count < at_most {
            // A count for a metric: eventually consistent, half the reads.
            let out = self
                .client
                .query()
                .table_name(table)
                .key_condition_expression("#queue = :queue")
                .expression_attribute_names("#queue", "queue")
                .expression_attribute_values(":queue", s(DELETION_QUEUE))
                .select(Select::Count)
                .limit(i32::try_from(at_most - count).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start)
                .send()
                .await
                .or_unavailable("Query", table)?;
            count += out.count.max(0) as usize;
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(count.min(at_most))
    }

    async fn remove(&self, video_ids: &[String]) -> ApiResult<()> {
        let keys = video_ids.iter().map(|id| record_key(id)).collect();
        batch_delete(&self.client, self.table(Deletions), keys).await?;
        Ok(())
    }
}
