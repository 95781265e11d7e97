//! The capabilities on DynamoDB. One `Dynamo` value (a client and the table
//! names) implements them all; a handler's generic bounds pick the ones it
//! uses, so a function links only those calls.

mod accounts;
mod comments;
mod deletions;
pub mod util;
mod videos;

use aws_sdk_dynamodb::operation::transact_write_items::builders::TransactWriteItemsFluentBuilder;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;

use crate::config::{Config, Table};
use crate::domain::video::DeletionRecord;
use crate::error::ApiResult;
use crate::store::OrUnavailable;
use util::{built, from_item, is_transaction_condition_failure, s, to_item, Item};

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

    /// A Put of a deletion record, for a transaction.
    fn record_put(&self, record: &DeletionRecord) -> ApiResult<TransactWriteItem> {
        let mut item = to_item(record)?;
        item.insert("queue".into(), s(DELETION_QUEUE));
        let put = built(Put::builder().table_name(self.table(Table::Deletions)).set_item(Some(item)).build())?;
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
            Err(err) => Err(err).or_unavailable("TransactWriteItems", self.table(Table::Videos)),
        }
    }
}
