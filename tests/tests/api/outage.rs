//! Storage faults. During an outage every answer is a quick 503 (003); after
//! it, every invariant holds: no video ready without its object, no deletion
//! record lost, no acknowledged comment missing, no object left behind for a
//! video the sweep reported as done.

use std::time::{Duration, Instant};
use vidlet::ports::*;

use vidlet::config::Config;
use vidlet::domain::now_epoch;
use vidlet::domain::video::VideoStatus;
use vidlet_tests::{fixture, handler, json, FaultyLink, PrivateDynamoDb, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::videos::{complete, create, put_all_parts, upload};

/// Generous bound: the point is "no hang", not a performance figure.
const NO_HANG: Duration = Duration::from_secs(30);

async fn timed(call: impl std::future::Future<Output = TestResponse>) -> TestResponse {
    let started = Instant::now();
    let response = call.await;
    assert!(started.elapsed() < NO_HANG, "took {:?}", started.elapsed());
    response
}

#[tokio::test]
async fn dynamodb_stopped_while_videos_and_comments_are_created() {
    let db = PrivateDynamoDb::start();
    let t = TestApp::on(db.client().await, vidlet::store::client::s3(), Config::default()).await;
    let token = register(&t, "outage", "password1").await;
    let id = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let comment =
        |content: &str| Req::post("/").param("id", &id).bearer(&token).json(json!({"content": content})).build();
    let mut acknowledged = Vec::new();
    for i in 0..5 {
        let res = t.call(handler!(comments::create_comment), comment(&format!("before {i}"))).await;
        acknowledged.push(res.assert_status(201)["comment"]["id"].as_str().unwrap().to_owned());
    }

    db.stop();
    let new_video =
        Req::post("/videos").bearer(&token).json(json!({"name": "n", "content_type": "video/mp4", "size": 10})).build();
    timed(t.call(handler!(videos::create_video), new_video)).await.assert_error(503, "003");
    timed(t.call(handler!(comments::create_comment), comment("during"))).await.assert_error(503, "003");
    let login = Req::post("/sessions").json(json!({"username": "outage", "password": "password1"})).build();
    timed(t.call(handler!(accounts::login), login)).await.assert_error(503, "003");
    timed(t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build())).await.assert_error(503, "003");
    timed(t.call(handler!(videos::list_videos), Req::get("/videos").build())).await.assert_error(503, "003");
    let view = Req::post("/").param("id", &id).build();
    timed(t.call(handler!(videos::count_view), view)).await.assert_error(503, "003");

    db.restart();
    // Every acknowledged comment is there; nothing half-written appeared.
    let page = t.db.list_comments(&id, &Default::default()).await.unwrap();
    let stored: Vec<String> = page.items.iter().map(|c| c.comment_id.clone()).collect();
    for acked in &acknowledged {
        assert!(stored.contains(acked), "acknowledged comment {acked} lost");
    }
    assert_eq!(stored.len(), acknowledged.len());
    let mine = t.db.list_by_owner("outage", true, &Default::default()).await.unwrap();
    assert_eq!(mine.items.len(), 1, "the video refused during the outage does not exist");
    assert_eq!(mine.items[0].views, 0, "the view refused during the outage was not counted");
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_status(200);
}

#[tokio::test]
async fn localstack_down_during_complete_and_during_a_sweep() {
    let link = FaultyLink::to(localstack_port()).await;
    let t = TestApp::on(vidlet::store::client::dynamodb(), link.s3_client().await, Config::default()).await;
    let token = register(&t, "s3outage", "password1").await;

    // An upload is in S3; then S3 goes away before /complete.
    let bytes = fixture("clip.mp4");
    let created = create(&t, &token, json!({"name": "n", "content_type": "video/mp4", "size": bytes.len()})).await;
    assert_eq!(put_all_parts(&t, &token, &created, &bytes).await, vec![200]);
    let id = created["video"]["id"].as_str().unwrap().to_owned();
    link.cut();
    timed(complete(&t, &token, &id)).await.assert_error(503, "003");
    let stored = t.db.get_video(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, VideoStatus::Pending, "an outage neither publishes nor rejects");
    link.restore();
    complete(&t, &token, &id).await.assert_status(200);

    // A sweep during an outage leaves its records; the next one finishes them.
    let doomed = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    t.call(handler!(videos::delete_video), Req::delete("/").param("id", &doomed).bearer(&token).build())
        .await
        .assert_status(204);
    link.cut();
    let started = Instant::now();
    let failed = t.sweep().run_as_of(now_epoch() + 3600, Duration::from_secs(60)).await;
    let failed = failed.expect("an S3 outage is a counted error that leaves the records, not a failed run");
    assert!(started.elapsed() < NO_HANG);
    assert_eq!((failed.records_processed, failed.errors), (0, 1));
    link.restore();
    assert_eq!(t.db.queued(10, None).await.unwrap().len(), 1, "no deletion record lost");
    let done = t.sweep().run_as_of(now_epoch() + 3600, Duration::from_secs(60)).await.unwrap();
    assert_eq!((done.records_processed, done.errors), (1, 0));

    // Invariants.
    assert_eq!(t.media().size_of(&format!("videos/{doomed}")).await.unwrap(), None, "swept object left behind");
    let all = t.db.list_by_owner("s3outage", true, &Default::default()).await.unwrap();
    for video in all.items.iter().filter(|v| v.status == VideoStatus::Ready) {
        assert!(t.media().size_of(&video.object_key()).await.unwrap().is_some(), "{} ready without object", video.id);
    }
}

fn localstack_port() -> u16 {
    std::env::var("AWS_ENDPOINT_URL_S3")
        .ok()
        .and_then(|url| url.rsplit(':').next().and_then(|p| p.trim_end_matches('/').parse().ok()))
        .unwrap_or(4566)
}
