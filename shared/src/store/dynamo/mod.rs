//! The capabilities on DynamoDB. One `Dynamo` value (a client and the table
//! names) implements them all; a handler's generic bounds pick the ones it
//! uses, so a function links only those calls.

mod accounts;
mod comments;
mod deletions;
mod edits;
pub mod following_feed;
mod follows;
mod likes;
mod posters;
mod purge;
mod renditions;
mod search;
mod settle;
pub mod util;
mod videos;
mod views;

use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;

use crate::config::{Config, Table};
use crate::domain::video::{DeletionRecord, Video, VideoStatus};
use crate::error::ApiResult;
use crate::store::OrUnavailable;
use util::{built, failed_conditions, from_item, is_transaction_condition_failure, n, s, to_item, Item};

/// The one partition of the deletions table.
const DELETION_QUEUE: &str = "deletions";

#[derive(Clone)]
pub struct Dynamo {
    client: Client,
    config: Config,
}

impl Dynamo {
    pub fn new(client: Client, config: &Config) -> Self {
        Dynamo { client, config: config.clone() }
    }

    /// The client from the environment, as Lambda (or the local stack) sets it.
    pub fn from_env(config: &Config) -> Self {
        Self::new(crate::store::client::dynamodb(), config)
    }

    fn table(&self, table: Table) -> &str {
        self.config.table_name(table)
    }

    /// One item by its key, read consistently (a logout or a delete shows at once).
    async fn get<T: serde::de::DeserializeOwned>(&self, table: Table, key: Item) -> ApiResult<Option<T>> {
        let table = self.table(table);
        let get = self.client.get_item().table_name(table).set_key(Some(key)).consistent_read(true);
        let out = get.send().await.or_unavailable("GetItem", table)?;
        out.item.map(from_item).transpose()
    }

    /// A deletion record as stored: in the queue's one partition.
    fn record_item(&self, record: &DeletionRecord) -> ApiResult<Item> {
        let mut item = to_item(record)?;
        item.insert("queue".into(), s(DELETION_QUEUE));
        Ok(item)
    }

    /// A Put of a deletion record, for a transaction.
    fn record_put(&self, record: &DeletionRecord) -> ApiResult<TransactWriteItem> {
        let item = self.record_item(record)?;
        let put = built(Put::builder().table_name(self.table(Table::Deletions)).set_item(Some(item)).build())?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Gives `size` bytes back to `owner`'s quota, for a transaction.
    fn refund(&self, owner: &str, size: u64) -> ApiResult<TransactWriteItem> {
        let update = Update::builder()
            .table_name(self.table(Table::Users))
            .key("username", s(owner))
            .update_expression("SET used_bytes = used_bytes - :size")
            .condition_expression("used_bytes >= :size")
            .expression_attribute_values(":size", n(size))
            .build();
        Ok(TransactWriteItem::builder().update(built(update)?).build())
    }

    /// One transaction: a conditional write on a video, its deletion record,
    /// and its bytes given back to its owner. `Ok(false)` when the write's
    /// condition failed (nothing was written). An owner with nothing to give
    /// back (gone, or from before quotas) does not block the write.
    async fn write_with_record(
        &self,
        write: TransactWriteItem,
        record: &DeletionRecord,
        video: &Video,
    ) -> ApiResult<bool> {
        let table = self.table(Table::Videos);
        if video.status == VideoStatus::Rejected {
            // Its rejection gave the bytes back already.
            let request =
                self.client.transact_write_items().transact_items(write).transact_items(self.record_put(record)?);
            return self.transact(request).await;
        }
        let request = self
            .client
            .transact_write_items()
            .transact_items(write.clone())
            .transact_items(self.record_put(record)?)
            .transact_items(self.refund(&video.owner, video.size)?);
        match request.send().await {
            Ok(_) => Ok(true),
            Err(err) => match failed_conditions(&err).as_deref() {
                Some([false, false, true]) => {
                    let without_refund = self
                        .client
                        .transact_write_items()
                        .transact_items(write)
                        .transact_items(self.record_put(record)?);
                    self.transact(without_refund).await
                }
                Some(_) => Ok(false),
                None => Err(err).or_unavailable("TransactWriteItems", table),
            },
        }
    }

    /// Runs a transaction; `Ok(false)` when one of its conditions failed.
    async fn transact(&self, request: TransactWriteItemsFluentBuilder) -> ApiResult<bool> {
        match request.send().await {
            Ok(_) => Ok(true),
            Err(err) if is_transaction_condition_failure(&err) => Ok(false),
            Err(err) => Err(err).or_unavailable("TransactWriteItems", self.table(Table::Videos)),
        }
    }
}
