//! Small helpers shared by the DynamoDB adapters.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, CancellationReason, DeleteRequest, WriteRequest};
use aws_sdk_dynamodb::Client;

use crate::domain::page::{decode_cursor, encode_cursor, Cursor, Page, PageRequest};
use crate::error::{ApiError, ApiResult};
use crate::store::OrUnavailable;

pub type Item = HashMap<String, AttributeValue>;

/// BatchWriteItem's limit.
pub const BATCH_WRITE_MAX: usize = 25;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// True when a single-item write failed on its condition expression.
pub fn is_conditional_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error().and_then(|e| e.code()).is_some_and(|code| code == "ConditionalCheckFailedException")
}

/// Why each item of a cancelled transaction was cancelled; None for any other error.
fn cancellation_reasons<R>(err: &SdkError<TransactWriteItemsError, R>) -> Option<&[CancellationReason]> {
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
            Some(cancelled.cancellation_reasons())
        }
        _ => None,
    }
}

/// For a transaction cancelled by conditions: which of its items failed one.
pub fn failed_conditions<R>(err: &SdkError<TransactWriteItemsError, R>) -> Option<Vec<bool>> {
    let reasons = cancellation_reasons(err)?;
    Some(reasons.iter().map(|r| r.code() == Some("ConditionalCheckFailed")).collect())
}

/// True when a transaction was cancelled because one of its conditions failed.
pub fn is_transaction_condition_failure<R>(err: &SdkError<TransactWriteItemsError, R>) -> bool {
    failed_conditions(err).is_some_and(|failed| failed.contains(&true))
}

/// True when a transaction lost a race with another on the same item.
pub fn is_transaction_conflict<R>(err: &SdkError<TransactWriteItemsError, R>) -> bool {
    cancellation_reasons(err).is_some_and(|reasons| reasons.iter().any(|r| r.code() == Some("TransactionConflict")))
}

/// An item into a domain type; a stored item that does not fit is a bug.
pub fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> ApiResult<T> {
    serde_dynamo::from_item(item).map_err(|e| ApiError::internal_from("reading a stored item", e))
}

pub fn to_item<T: serde::Serialize>(value: &T) -> ApiResult<Item> {
    serde_dynamo::to_item(value).map_err(|e| ApiError::internal_from("writing an item", e))
}

/// One attribute's value (a map for a struct).
pub fn attribute<T: serde::Serialize>(value: &T) -> ApiResult<AttributeValue> {
    serde_dynamo::to_attribute_value(value).map_err(|e| ApiError::internal_from("writing an attribute", e))
}

/// A request builder's missing field is a bug.
pub fn built<T, E: std::error::Error + Send + Sync + 'static>(result: Result<T, E>) -> ApiResult<T> {
    result.map_err(|e| ApiError::internal_from("building a DynamoDB request", e))
}

/// Deletes items by key with BatchWriteItem, 25 at a time, retrying
/// unprocessed items with backoff. Returns the number of calls made.
pub async fn batch_delete(client: &Client, table: &str, keys: Vec<Item>) -> ApiResult<usize> {
    let requests = keys
        .into_iter()
        .map(|key| {
            let delete = built(DeleteRequest::builder().set_key(Some(key)).build())?;
            Ok(WriteRequest::builder().delete_request(delete).build())
        })
        .collect::<ApiResult<_>>()?;
    batch_write(client, table, requests).await
}

/// Writes with BatchWriteItem, 25 at a time (no key twice in one call),
/// retrying unprocessed items with backoff. Returns the number of calls made.
pub async fn batch_write(client: &Client, table: &str, writes: Vec<WriteRequest>) -> ApiResult<usize> {
    let mut calls = 0;
    for chunk in writes.chunks(BATCH_WRITE_MAX) {
        let mut requests = chunk.to_vec();
        let mut attempt = 0u32;
        while !requests.is_empty() {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 * 2u64.pow(attempt.min(6)))).await;
            }
            if attempt >= 8 {
                let cause = std::io::Error::other(format!("{} items still unprocessed", requests.len()));
                return Err(ApiError::unavailable(format!("BatchWriteItem {table}"), cause));
            }
            let out = client
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .or_unavailable("BatchWriteItem", table)?;
            calls += 1;
            requests = out.unprocessed_items.and_then(|mut m| m.remove(table)).unwrap_or_default();
            attempt += 1;
        }
    }
    Ok(calls)
}

/// A Query on one partition of a table or an index.
fn partition_query(client: &Client, table: &str, index: Option<&str>, partition: (&str, &str)) -> QueryFluentBuilder {
    client
        .query()
        .table_name(table)
        .set_index_name(index.map(str::to_owned))
        .key_condition_expression("#pk = :pk")
        .expression_attribute_names("#pk", partition.0)
        .expression_attribute_values(":pk", s(partition.1))
}

/// Every item of one partition (of a table or an index), all pages, with
/// only the `projection` attributes.
pub async fn query_all(
    client: &Client,
    table: &str,
    index: Option<&str>,
    partition: (&str, &str),
    projection: &str,
) -> ApiResult<Vec<Item>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let out = partition_query(client, table, index, partition)
            .projection_expression(projection)
            .set_exclusive_start_key(start)
            .send()
            .await
            .or_unavailable("Query", table)?;
        items.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
}

/// A LastEvaluatedKey as a cursor (string attributes only).
pub fn cursor_of(key: &Item) -> Option<String> {
    let plain: Option<Cursor> =
        key.iter().map(|(name, value)| Some((name.clone(), value.as_s().ok()?.clone()))).collect();
    plain.as_ref().map(encode_cursor)
}

/// One page of a partition, newest (highest sort key) first, behind an opaque
/// cursor that only this list accepts.
pub async fn query_page<T: serde::de::DeserializeOwned>(
    client: &Client,
    table: &str,
    index: Option<&str>,
    partition: (&str, &str),
    sort_attribute: &str,
    table_key: &[&str],
    page: &PageRequest,
) -> ApiResult<Page<T>> {
    let start = match page.cursor.as_deref() {
        Some(raw) => {
            let cursor = decode_cursor(raw, partition, sort_attribute, table_key)?;
            Some(cursor.into_iter().map(|(name, value)| (name, s(value))).collect())
        }
        None => None,
    };
    let out = partition_query(client, table, index, partition)
        .scan_index_forward(false)
        .limit(page.limit as i32)
        .set_exclusive_start_key(start)
        .send()
        .await
        .or_unavailable("Query", table)?;
    let items = out.items.unwrap_or_default().into_iter().map(from_item).collect::<ApiResult<_>>()?;
    Ok(Page { items, next_cursor: out.last_evaluated_key.as_ref().and_then(cursor_of) })
}
