//! The sweep never stalls: a video with thousands of comments drains over
//! successive runs, page by page within each run's budget, and the ordinary
//! records queued behind it are not held up.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, Select, WriteRequest};
use aws_sdk_s3::primitives::ByteStream;
use tokio::task::JoinSet;
use vidlet::config::Table;
use vidlet::domain::now_epoch;
use vidlet::domain::video::{video_object_key, DeletionRecord};
use vidlet::ports::*;
use vidlet_tests::TestApp;

const HUGE: usize = 20_000;
const ORDINARY: usize = 40;
const BUDGET: Duration = Duration::from_secs(3);

/// Writes `count` comments of a video with BatchWriteItem, 8 calls at a time.
async fn seed_comments(t: &TestApp, video_id: &str, count: usize) {
    let table = t.config.table_name(Table::Comments).to_owned();
    let items: Vec<WriteRequest> = (0..count)
        .map(|n| {
            let item = [
                ("video_id", AttributeValue::S(video_id.into())),
                ("comment_id", AttributeValue::S(uuid::Uuid::now_v7().to_string())),
                ("author", AttributeValue::S("chatty".into())),
                ("content", AttributeValue::S(format!("comment {n}"))),
                ("created_at", AttributeValue::N(now_epoch().to_string())),
            ];
            let item = item.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            WriteRequest::builder().put_request(PutRequest::builder().set_item(Some(item)).build().unwrap()).build()
        })
        .collect();
    let mut calls = JoinSet::new();
    for chunk in items.chunks(25) {
        let (db, table, chunk) = (t.dynamodb.clone(), table.clone(), chunk.to_vec());
        calls.spawn(async move {
            let mut requests = chunk;
            while !requests.is_empty() {
                let out = db.batch_write_item().request_items(&table, requests).send().await.unwrap();
                requests = out.unprocessed_items.and_then(|mut m| m.remove(&table)).unwrap_or_default();
            }
        });
        if calls.len() >= 8 {
            calls.join_next().await.unwrap().unwrap();
        }
    }
    calls.join_all().await;
}

/// A deleted video as the app leaves it: its object, its comments, its record.
async fn seed_deleted(t: &TestApp, comments: usize, not_before: i64) -> String {
    let id = uuid::Uuid::now_v7().to_string();
    let body = ByteStream::from_static(b"a video");
    t.s3.put_object().bucket(&t.config.bucket).key(video_object_key(&id)).body(body).send().await.unwrap();
    seed_comments(t, &id, comments).await;
    let mut record = DeletionRecord::for_video(&id, "deleted", now_epoch(), 0).without_posters();
    record.not_before = not_before;
    t.db.queue(&record).await.unwrap();
    id
}

async fn comments_of(t: &TestApp, video_id: &str) -> usize {
    let (mut count, mut start) = (0, None);
    loop {
        let out = t
            .dynamodb
            .query()
            .table_name(t.config.table_name(Table::Comments))
            .key_condition_expression("video_id = :id")
            .expression_attribute_values(":id", AttributeValue::S(video_id.into()))
            .select(Select::Count)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        count += out.count as usize;
        start = out.last_evaluated_key;
        if start.is_none() {
            return count;
        }
    }
}

async fn object_exists(t: &TestApp, id: &str) -> bool {
    t.media().size_of(&video_object_key(id)).await.unwrap().is_some()
}

async fn queued(t: &TestApp) -> Vec<String> {
    t.db.queued(1000, None).await.unwrap().into_iter().map(|r| r.video_id).collect()
}

#[tokio::test]
async fn a_video_with_thousands_of_comments_drains_over_runs_and_holds_up_no_other_record() {
    let t = TestApp::new().await;
    // The oldest deleted video, so first in the queue, has thousands of comments.
    let huge = seed_deleted(&t, HUGE, 0).await;
    let mut ordinary = Vec::new();
    for _ in 0..ORDINARY {
        ordinary.push(seed_deleted(&t, 2, 0).await);
    }
    let not_due = seed_deleted(&t, 2, now_epoch() + 86_400).await;
    // A video that is not deleted at all.
    let kept = uuid::Uuid::now_v7().to_string();
    let body = ByteStream::from_static(b"a video");
    t.s3.put_object().bucket(&t.config.bucket).key(video_object_key(&kept)).body(body).send().await.unwrap();
    seed_comments(&t, &kept, 3).await;

    // The first run, on a small budget: every ordinary record is done; the
    // huge one is begun and left for later.
    let started = Instant::now();
    let first = t.sweep().run_as_of(now_epoch(), BUDGET).await.unwrap();
    let took = started.elapsed();
    assert!(!first.finished, "{first:?}");
    assert_eq!((first.records_processed, first.errors), (ORDINARY, 0), "{first:?}");
    assert_eq!(queued(&t).await, [huge.clone(), not_due.clone()]);
    for id in &ordinary {
        assert_eq!(comments_of(&t, id).await, 0);
        assert!(!object_exists(&t, id).await);
    }
    let left = comments_of(&t, &huge).await;
    assert!(0 < left && left < HUGE, "the huge video is begun, not done: {left} comments left");
    assert!(!object_exists(&t, &huge).await, "its objects go first");
    // It checks its deadline between pages, not only between records.
    assert!(took < BUDGET + Duration::from_secs(4), "a {BUDGET:?} run took {took:?}");
    // What an operator sees: one record unfinished, two still queued.
    assert_eq!((first.records_unfinished, first.records_not_due, first.backlog), (1, 1, 2), "{first:?}");
    // The count behind it, past a record and up to a cap.
    assert_eq!(t.db.count_queued(None, 10).await.unwrap(), 2);
    assert_eq!(t.db.count_queued(Some(&huge), 10).await.unwrap(), 1);
    assert_eq!(t.db.count_queued(None, 1).await.unwrap(), 1);

    // Successive runs drain it, a bounded number of them.
    let mut runs = vec![first];
    while !runs.last().unwrap().finished {
        assert!(runs.len() < 30, "not drained in {} runs: {:?}", runs.len(), runs.last());
        runs.push(t.sweep().run_as_of(now_epoch(), BUDGET).await.unwrap());
    }
    let last = runs.last().unwrap();
    assert_eq!((last.records_processed, last.backlog), (1, 1), "{last:?}");
    let deleted: usize = runs.iter().map(|r| r.comments_deleted).sum();
    assert!(deleted >= HUGE + 2 * ORDINARY, "{deleted} comments deleted");
    assert_eq!(comments_of(&t, &huge).await, 0);
    assert_eq!(runs.iter().map(|r| r.errors).sum::<usize>(), 0);

    // Nothing else was touched.
    assert_eq!(queued(&t).await, [not_due.as_str()]);
    assert_eq!(comments_of(&t, &not_due).await, 2);
    assert!(object_exists(&t, &not_due).await);
    assert_eq!(comments_of(&t, &kept).await, 3);
    assert!(object_exists(&t, &kept).await);
    println!("drained in {} runs of {BUDGET:?}; the first took {took:?}", runs.len());
}
