//! Small helpers shared by the DynamoDB adapters.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// True when a single-item write failed on its condition expression.
pub fn is_conditional_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

/// True when a transaction was cancelled because one of its conditions failed.
pub fn is_transaction_condition_failure<R>(
    err: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => cancelled
            .cancellation_reasons()
            .iter()
            .any(|reason| reason.code() == Some("ConditionalCheckFailed")),
        _ => false,
    }
}

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::error::{ApiError, ApiResult};

pub type Item = HashMap<String, AttributeValue>;

/// BatchWriteItem's limit.
pub const BATCH_WRITE_MAX: usize = 25;

/// Encodes a LastEvaluatedKey (string attributes only) as an opaque cursor.
pub fn encode_cursor(key: &Item) -> Option<String> {
    let plain: BTreeMap<&str, &str> = key
        .iter()
        .map(|(name, value)| value.as_s().ok().map(|v| (name.as_str(), v.as_str())))
        .collect::<Option<_>>()?;
    Some(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&plain).ok()?))
}

/// Decodes a cursor for one list: it must hold exactly `attributes`, with the
/// partition attribute equal to `partition`, or it is refused with 400 (001).
pub fn decode_cursor(raw: &str, partition: (&str, &str), sort_attribute: &str, table_key: &[&str]) -> ApiResult<Item> {
    let invalid = || ApiError::bad_request("invalid field `cursor`: not a cursor of this list");
    let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| invalid())?;
    let plain: BTreeMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    let mut expected: Vec<&str> = vec![partition.0, sort_attribute];
    expected.extend(table_key);
    expected.sort_unstable();
    expected.dedup();
    let names: Vec<&str> = plain.keys().map(String::as_str).collect();
    if names != expected || plain.get(partition.0).map(String::as_str) != Some(partition.1) {
        return Err(invalid());
    }
    if plain.iter().any(|(name, value)| name != partition.0 && uuid::Uuid::parse_str(value).is_err()) {
        return Err(invalid());
    }
    Ok(plain.into_iter().map(|(name, value)| (name, AttributeValue::S(value))).collect())
}

/// Deletes items by key with BatchWriteItem, 25 at a time, retrying
/// unprocessed items with backoff. Returns the number of calls made.
pub async fn batch_delete(client: &Client, table: &str, keys: Vec<Item>) -> ApiResult<usize> {
    let mut calls = 0;
    for chunk in keys.chunks(BATCH_WRITE_MAX) {
        let mut requests: Vec<WriteRequest> = chunk
            .iter()
            .map(|key| {
                let delete = DeleteRequest::builder().set_key(Some(key.clone())).build();
                delete.map(|d| WriteRequest::builder().delete_request(d).build())
            })
            .collect::<Result<_, _>>()
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let mut attempt = 0u32;
        while !requests.is_empty() {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 * 2u64.pow(attempt.min(6)))).await;
            }
            if attempt >= 8 {
                return Err(ApiError::Unavailable(format!("{table}: unprocessed deletes after {attempt} attempts")));
            }
            let out = client.batch_write_item().request_items(table, requests).send().await?;
            calls += 1;
            requests = out.unprocessed_items.and_then(|mut m| m.remove(table)).unwrap_or_default();
            attempt += 1;
        }
    }
    Ok(calls)
}

/// A Query on one partition of a table or an index.
fn partition_query(
    client: &Client,
    table: &str,
    index: Option<&str>,
    partition: (&str, &str),
) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
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
            .await?;
        items.extend(out.items.unwrap_or_default());
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(items);
        }
    }
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
    page: &crate::domain::video::PageRequest,
) -> ApiResult<crate::domain::video::Page<T>> {
    let start = page
        .cursor
        .as_deref()
        .map(|raw| decode_cursor(raw, partition, sort_attribute, table_key))
        .transpose()?;
    let out = partition_query(client, table, index, partition)
        .scan_index_forward(false)
        .limit(page.limit as i32)
        .set_exclusive_start_key(start)
        .send()
        .await?;
    let items = out.items.unwrap_or_default().into_iter().map(serde_dynamo::from_item).collect::<Result<_, _>>()?;
    Ok(crate::domain::video::Page { items, next_cursor: out.last_evaluated_key.as_ref().and_then(encode_cursor) })
}
