//! The DynamoDB adapter's reads that must be strongly consistent. DynamoDB Local always reads
//! consistently, so only the request itself can show that AWS is asked to.

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::operation::batch_get_item::{BatchGetItemInput, BatchGetItemOutput};
use aws_sdk_dynamodb::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use vidlet::config::{Config, Table};
use vidlet::domain::account::Username;
use vidlet::ports::SessionReader;
use vidlet::store::dynamo::Dynamo;

/// A logout or an account deletion deletes the session item; an eventually consistent read
/// could still find it and let the next request in.
#[tokio::test]
async fn the_session_lookup_reads_the_session_and_its_user_consistently() {
    let seen: Arc<Mutex<Vec<BatchGetItemInput>>> = Arc::default();
    let log = seen.clone();
    let rule = mock!(Client::batch_get_item)
        .match_requests(move |req| {
            log.lock().unwrap().push(req.clone());
            true
        })
        .then_output(|| BatchGetItemOutput::builder().build());
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&rule]);
    let config = Config::default();
    let alice = Username::parse("alice").unwrap();

    let found = Dynamo::new(client, &config).get_session(&alice, "session-hash").await.expect("read");

    assert!(found.0.is_none() && found.1.is_none(), "the mock answered nothing");
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "one BatchGetItem");
    let items = requests[0].request_items().expect("request items");
    let mut tables: Vec<&str> = items.keys().map(String::as_str).collect();
    tables.sort();
    let mut expected = vec![config.table_name(Table::Sessions), config.table_name(Table::Users)];
    expected.sort();
    assert_eq!(tables, expected);
    for (table, keys) in items {
        assert_eq!(keys.consistent_read(), Some(true), "{table} is read consistently");
    }
}
