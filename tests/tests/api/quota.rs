//! Storage quotas: `POST /videos` reserves the declared size on the user in
//! the same transaction as the video, so creates beyond the quota (even
//! concurrent ones) get 413 (013); delete, rejection and expiry give it back.

use std::sync::Arc;

use vidlet::config::Config;
use vidlet::ports::*;
use vidlet_tests::{fixture, handler, json, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::videos::{complete, create, put_all_parts, upload};

/// `GET /me`: (used_bytes, quota_bytes).
pub async fn usage(t: &TestApp, token: &str) -> (u64, u64) {
    let me = t.call(handler!(accounts::me), Req::get("/me").bearer(token).build()).await;
    let me = me.assert_status(200);
    (me["used_bytes"].as_u64().unwrap(), me["quota_bytes"].as_u64().unwrap())
}

pub async fn used_bytes(t: &TestApp, token: &str) -> u64 {
    usage(t, token).await.0
}

async fn try_create(t: &TestApp, token: &str, size: u64) -> TestResponse {
    let body = json!({"name": format!("{size} bytes"), "content_type": "video/mp4", "size": size});
    t.call(handler!(videos::create_video), Req::post("/videos").bearer(token).json(body).build()).await
}

async fn with_quota(quota: u64) -> TestApp {
    TestApp::with_config(Config { user_quota_bytes: quota, ..Config::default() }).await
}

async fn delete(t: &TestApp, token: &str, id: &str) {
    let req = Req::delete("/").param("id", id).bearer(token).build();
    t.call(handler!(videos::delete_video), req).await.assert_status(204);
}

async fn owned(t: &TestApp, username: &str) -> usize {
    t.db.list_by_owner(username, true, &Default::default()).await.unwrap().items.len()
}

#[tokio::test]
async fn creates_beyond_the_quota_get_413_013() {
    let t = with_quota(1000).await;
    let token = register(&t, "hoarder", "password1").await;
    assert_eq!(usage(&t, &token).await, (0, 1000));
    try_create(&t, &token, 1001).await.assert_error(413, "013");
    try_create(&t, &token, 600).await.assert_status(201);
    assert_eq!(usage(&t, &token).await, (600, 1000));
    try_create(&t, &token, 401).await.assert_error(413, "013");
    try_create(&t, &token, 400).await.assert_status(201);
    assert_eq!(usage(&t, &token).await, (1000, 1000), "exactly the quota fits");
    try_create(&t, &token, 1).await.assert_error(413, "013");
    assert_eq!(usage(&t, &token).await, (1000, 1000), "a refused create reserves nothing");
    assert_eq!(owned(&t, "hoarder").await, 2, "a refused create stores no video");
    // The limit is per user.
    let other = register(&t, "neighbour", "password1").await;
    try_create(&t, &other, 1000).await.assert_status(201);
    // MAX_UPLOAD_BYTES still answers first for a size no quota could hold.
    try_create(&t, &other, (5u64 << 30) + 1).await.assert_error(413, "008");
}

#[tokio::test]
async fn concurrent_creates_cannot_exceed_the_quota() {
    let t = Arc::new(with_quota(1000).await);
    let token = register(&t, "racer", "password1").await;
    // 8 × 300 bytes against 1000: exactly 3 fit.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (t, token) = (t.clone(), token.clone());
            tokio::spawn(async move {
                let res = try_create(&t, &token, 300).await;
                (res.status.as_u16(), res.body["error_code"].as_str().map(str::to_owned))
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let created = outcomes.iter().filter(|(status, _)| *status == 201).count();
    let refused = outcomes.iter().filter(|o| **o == (413, Some("013".to_owned()))).count();
    assert_eq!((created, refused), (3, 5), "{outcomes:?}");
    assert_eq!(usage(&t, &token).await, (900, 1000));
    assert_eq!(owned(&t, "racer").await, 3);
}

#[tokio::test]
async fn deleting_gives_the_bytes_back() {
    let clip = fixture("clip.mp4").len() as u64;
    let t = with_quota(clip + 500).await;
    let token = register(&t, "tidy", "password1").await;
    // A ready video.
    let ready = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    assert_eq!(used_bytes(&t, &token).await, clip);
    try_create(&t, &token, 501).await.assert_error(413, "013");
    delete(&t, &token, &ready).await;
    assert_eq!(used_bytes(&t, &token).await, 0);
    // A pending one.
    let pending = try_create(&t, &token, clip + 500).await;
    let pending = pending.assert_status(201)["video"]["id"].as_str().unwrap().to_owned();
    try_create(&t, &token, 1).await.assert_error(413, "013");
    delete(&t, &token, &pending).await;
    assert_eq!(used_bytes(&t, &token).await, 0);
    try_create(&t, &token, 501).await.assert_status(201);
    assert_eq!(used_bytes(&t, &token).await, 501);
    // The sweep takes nothing more.
    t.sweep().run_as_of(vidlet::domain::now_epoch() + 3600, std::time::Duration::from_secs(60)).await.unwrap();
    assert_eq!(used_bytes(&t, &token).await, 501);
}

#[tokio::test]
async fn rejection_gives_the_bytes_back() {
    let text = fixture("not-a-video.mp4");
    let t = with_quota(text.len() as u64).await;
    let token = register(&t, "liar", "password1").await;
    let created = create(&t, &token, json!({"name": "fake", "content_type": "video/mp4", "size": text.len()})).await;
    try_create(&t, &token, 1).await.assert_error(413, "013");
    assert_eq!(put_all_parts(&t, &token, &created, &text).await, vec![200]);
    let id = created["video"]["id"].as_str().unwrap();
    complete(&t, &token, id).await.assert_error(422, "010");
    assert_eq!(used_bytes(&t, &token).await, 0);
    // A second complete (a retry) gives nothing back twice.
    complete(&t, &token, id).await.assert_error(422, "010");
    assert_eq!(used_bytes(&t, &token).await, 0);
    try_create(&t, &token, text.len() as u64).await.assert_status(201);
    assert_eq!(used_bytes(&t, &token).await, text.len() as u64);
}
