//! Test data: users and ready videos through the real handlers, bulk items with
//! BatchWriteItem, objects with bounded concurrency, and bucket listing.

use std::collections::HashMap;
use std::future::Future;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use serde_json::json;
use tokio::task::JoinSet;
use vidlet_tests::{fixture, handler, http_client, Req, TestApp};

use crate::stack::Stack;
use crate::stats::Samples;
use crate::Result;

pub type Item = HashMap<String, AttributeValue>;

/// Runs `f` on every item, at most `limit` at a time; the results in completion order.
pub async fn concurrently<T, R, F, Fut>(items: Vec<T>, limit: usize, f: F) -> Result<Vec<R>>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R>> + Send + 'static,
    R: Send + 'static,
{
    let mut running = JoinSet::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if running.len() >= limit {
            out.push(running.join_next().await.expect("a task is running")??);
        }
        running.spawn(f(item));
    }
    while let Some(done) = running.join_next().await {
        out.push(done??);
    }
    Ok(out)
}

/// Registers a user through the handler; its session token.
pub async fn register(t: &TestApp, username: &str) -> Result<String> {
    let body = json!({"username": username, "password": "bench-password"});
    let res = t.call(handler!(accounts::register), Req::post("/users").json(body).build()).await;
    res.body["session_id"].as_str().map(str::to_owned).ok_or_else(|| format!("register: {}", res.body).into())
}

/// A public, ready video and how long its create and complete handlers took.
pub struct ReadyVideo {
    pub id: String,
    pub create: Duration,
    pub complete: Duration,
}

/// A public, ready video: created, uploaded (the committed clip) and completed
/// through the handlers, exactly as a browser does it.
pub async fn ready_video(t: &TestApp, token: &str, name: &str) -> Result<ReadyVideo> {
    let clip = fixture("clip.mp4");
    let create = json!({"name": name, "content_type": "video/mp4", "size": clip.len()});
    let req = Req::post("/videos").bearer(token).json(create).build();
    let started = Instant::now();
    let created = t.call(handler!(videos::create_video), req).await;
    let create = started.elapsed();
    let id = created.body["video"]["id"].as_str().ok_or_else(|| format!("create: {}", created.body))?.to_owned();
    // The clip is one part: ask for its URL and send it, as the page does.
    let parts = Req::post("/").param("id", &id).bearer(token).json(json!({"part_numbers": [1]})).build();
    let parts = t.call(handler!(uploads::upload_parts), parts).await;
    let url = parts.body["parts"][0]["url"].as_str().ok_or_else(|| format!("parts: {}", parts.body))?;
    let put = http_client().put(url).body(clip).send().await?;
    if !put.status().is_success() {
        return Err(format!("upload: {}", put.status()).into());
    }
    let req = Req::post("/").param("id", &id).bearer(token).build();
    let started = Instant::now();
    let done = t.call(handler!(videos::complete_video), req).await;
    let complete = started.elapsed();
    if done.status.as_u16() != 200 {
        return Err(format!("complete: {} {}", done.status, done.body).into());
    }
    Ok(ReadyVideo { id, create, complete })
}

/// The shared data of items 2, 3, 4 and 6: a user with a live session, a feed
/// of ready public videos, one of them with a page of comments.
pub struct Fixture {
    pub t: TestApp,
    pub username: String,
    pub token: String,
    pub videos: Vec<String>,
    /// Has `COMMENTS` comments.
    pub commented: String,
    /// Handler times of the upload flow, for the cost model.
    pub create_ms: Samples,
    pub complete_ms: Samples,
    pub poster_ms: Samples,
}

pub const FEED_VIDEOS: usize = 25;
pub const COMMENTS: usize = 20;

impl Fixture {
    pub async fn create(stack: &Stack) -> Result<Self> {
        let t = stack.test_app();
        let username = "benchuser".to_owned();
        let token = register(&t, &username).await?;
        let (mut videos, mut create_ms, mut complete_ms, mut poster_ms) =
            (vec![], Samples::default(), Samples::default(), Samples::default());
        for n in 0..FEED_VIDEOS {
            let video = ready_video(&t, &token, &format!("bench video {n}")).await?;
            create_ms.push(video.create);
            complete_ms.push(video.complete);
            let poster = json!({"content_type": "image/jpeg", "size": 20_000});
            let req = Req::post("/").param("id", &video.id).bearer(&token).json(poster).build();
            let started = Instant::now();
            let res = t.call(handler!(videos::create_poster), req).await;
            poster_ms.push(started.elapsed());
            if res.status.as_u16() != 201 {
                return Err(format!("poster: {} {}", res.status, res.body).into());
            }
            videos.push(video.id);
        }
        let commented = videos[0].clone();
        for n in 0..COMMENTS {
            let req =
                Req::post("/").param("id", &commented).bearer(&token).json(json!({"content": format!("comment {n}")}));
            let res = t.call(handler!(comments::create_comment), req.build()).await;
            if res.status.as_u16() != 201 {
                return Err(format!("comment: {} {}", res.status, res.body).into());
            }
        }
        Ok(Fixture { t, username, token, videos, commented, create_ms, complete_ms, poster_ms })
    }
}

/// Writes items with BatchWriteItem (25 a call, `limit` calls at a time),
/// retrying unprocessed items.
pub async fn batch_put(dynamodb: &aws_sdk_dynamodb::Client, table: &str, items: Vec<Item>, limit: usize) -> Result<()> {
    let chunks: Vec<Vec<Item>> = items.chunks(25).map(|c| c.to_vec()).collect();
    concurrently(chunks, limit, |chunk| {
        let (dynamodb, table) = (dynamodb.clone(), table.to_owned());
        async move {
            let mut requests = chunk
                .into_iter()
                .map(|item| {
                    Ok(WriteRequest::builder().put_request(PutRequest::builder().set_item(Some(item)).build()?).build())
                })
                .collect::<Result<Vec<_>>>()?;
            for attempt in 0..10u32 {
                if requests.is_empty() {
                    return Ok(());
                }
                if attempt > 0 {
                    tokio::time::sleep(Duration::from_millis(20 << attempt.min(5))).await;
                }
                let out = dynamodb.batch_write_item().request_items(&table, requests).send().await?;
                requests = out.unprocessed_items.and_then(|mut m| m.remove(&table)).unwrap_or_default();
            }
            Err(format!("{table}: unprocessed items after 10 attempts").into())
        }
    })
    .await?;
    Ok(())
}

/// Every key under `prefix`.
pub async fn list_keys(s3: &aws_sdk_s3::Client, bucket: &str, prefix: &str) -> Result<Vec<String>> {
    let mut keys = Vec::new();
    let mut token = None;
    loop {
        let out = s3.list_objects_v2().bucket(bucket).prefix(prefix).set_continuation_token(token).send().await?;
        keys.extend(out.contents().iter().filter_map(|o| o.key().map(str::to_owned)));
        token = out.next_continuation_token().map(str::to_owned);
        if token.is_none() {
            return Ok(keys);
        }
    }
}

/// Deletes every object of the bucket.
pub async fn empty_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<()> {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    let keys = list_keys(s3, bucket, "").await?;
    for chunk in keys.chunks(1000) {
        let objects = chunk
            .iter()
            .map(|k| ObjectIdentifier::builder().key(k).build())
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let delete = Delete::builder().set_objects(Some(objects)).quiet(true).build()?;
        s3.delete_objects().bucket(bucket).delete(delete).send().await?;
    }
    Ok(())
}

/// Counts a table's items (a paginated COUNT scan), optionally collecting one attribute.
pub async fn scan_attribute(dynamodb: &aws_sdk_dynamodb::Client, table: &str, attribute: &str) -> Result<Vec<String>> {
    let mut values = Vec::new();
    let mut start = None;
    loop {
        let out = dynamodb
            .scan()
            .table_name(table)
            .projection_expression("#a")
            .expression_attribute_names("#a", attribute)
            .set_exclusive_start_key(start)
            .send()
            .await?;
        for item in out.items() {
            values.push(item.get(attribute).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default());
        }
        start = out.last_evaluated_key;
        if start.is_none() {
            return Ok(values);
        }
    }
}
