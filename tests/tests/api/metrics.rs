//! The metrics the handlers record: uploads published and rejected, views
//! counted, logins throttled. The recorder is global to this test binary,
//! where other tests do the same things at the same time: only this test
//! flushes it, and it asks for at least its own counts.

use serde_json::Value;
use vidlet_tests::{fixture, handler, json, Req, TestApp};

use crate::accounts::register;
use crate::videos::{complete, create, put_all_parts, upload};

/// The value of `name` in EMF lines, summed (0 when absent).
fn emitted(emf: &str, name: &str) -> u64 {
    emf.lines().map(|line| serde_json::from_str::<Value>(line).unwrap()[name].as_u64().unwrap_or(0)).sum()
}

#[tokio::test]
async fn handlers_count_uploads_views_and_throttled_logins() {
    vidlet::metrics::init("complete-video");
    let t = TestApp::new().await;
    let token = register(&t, "counted", "correct horse").await;
    let published = upload(&t, &token, "clip.mp4", "video/mp4", "public").await;
    let bytes = fixture("not-a-video.mp4");
    let created = create(&t, &token, json!({"name": "fake", "content_type": "video/mp4", "size": bytes.len()})).await;
    put_all_parts(&t, &token, &created, &bytes).await;
    let id = created["video"]["id"].as_str().unwrap();
    complete(&t, &token, id).await.assert_error(422, "010");
    // Completing a settled upload again counts nothing more (not asserted: others count too).
    complete(&t, &token, id).await.assert_error(422, "010");

    // A view report counted, and an eleventh wrong password refused.
    let video_id = published["id"].as_str().unwrap();
    let report = Req::post("/").param("id", video_id).source_ip("198.51.100.99").build();
    t.call(handler!(videos::count_view), report).await.assert_status(204);
    for _ in 0..11 {
        let guess = Req::post("/sessions").json(json!({"username": "counted", "password": "wrong guess"}));
        t.call(handler!(accounts::login), guess.build()).await;
    }

    let mut out = Vec::new();
    vidlet::metrics::flush_to(&mut out).unwrap();
    let emf = String::from_utf8(out).unwrap();
    assert!(emitted(&emf, "UploadsCompleted") >= 1, "{emf}");
    assert!(emitted(&emf, "UploadsRejected") >= 1, "{emf}");
    assert!(emitted(&emf, "ViewsCounted") >= 1, "{emf}");
    assert!(emitted(&emf, "LoginsThrottled") >= 1, "{emf}");
}
