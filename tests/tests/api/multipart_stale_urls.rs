//! Multipart uploads (issue 11), continued: no URL handed out can change or
//! leave an object once the video is complete, deleted, rejected or swept,
//! and a poster URL writes once.

use std::time::Duration;

use serde_json::Value;
use vidlet::config::Config;
use vidlet::domain::now_epoch;
use vidlet::domain::video::VideoStatus;
use vidlet::ports::*;
use vidlet_tests::{fixture, handler, http_client, json, Req, TestApp};

use crate::accounts::register;
use crate::multipart::{
    assert_streams, big_mp4, create_mp4, id_of, list_uploads, small_parts, stream_url, THREE_PARTS,
};
use crate::quota::used_bytes;
use crate::videos::{
    all_parts, ask_part_urls, complete, create, get_upload, part_bytes, part_urls, put_parts, put_upload,
    put_upload_response,
};

const LONG_ENOUGH: Duration = Duration::from_secs(60);

/// A PUT of `bytes` to a part URL that must be refused because the multipart
/// upload is gone (completed or aborted): 404 NoSuchUpload.
async fn assert_no_such_upload(part: &Value, bytes: Vec<u8>) {
    let (status, body) = put_upload_response(part, bytes).await;
    assert_eq!(status, 404, "part {} was accepted or refused otherwise: {body}", part["part_number"]);
    assert!(body.contains("NoSuchUpload"), "{body}");
}

async fn list_objects(t: &TestApp, prefix: &str) -> Vec<String> {
    let out = t.s3.list_objects_v2().bucket(&t.config.bucket).prefix(prefix).send().await.unwrap();
    out.contents().iter().filter_map(|o| o.key().map(str::to_owned)).collect()
}

async fn delete(t: &TestApp, token: &str, id: &str) -> u16 {
    let req = Req::delete(&format!("/videos/{id}")).param("id", id).bearer(token).build();
    t.call(handler!(videos::delete_video), req).await.status.as_u16()
}

#[tokio::test]
async fn after_complete_no_part_url_handed_out_can_change_the_object() {
    let t = small_parts(Config::default()).await;
    let token = register(&t, "finisher", "password1").await;
    let bytes = big_mp4(THREE_PARTS);
    let created = create_mp4(&t, &token, bytes.len()).await;
    let id = id_of(&created);
    let first = part_urls(&t, &token, &id, &[1, 2, 3]).await;
    for (number, part) in (1..=3).zip(&first) {
        assert_eq!(put_upload(part, part_bytes(&created, &bytes, number)).await, 200);
    }
    // A second set, as a client that resumed would hold.
    let second = part_urls(&t, &token, &id, &[3, 2, 1]).await;
    complete(&t, &token, &id).await.assert_status(200);

    // Other bytes of the same lengths, as an attacker would send.
    let other = vec![b'x'; THREE_PARTS];
    for part in first.iter().chain(&second) {
        let number = part["part_number"].as_u64().unwrap() as u32;
        assert_no_such_upload(part, part_bytes(&created, &other, number)).await;
    }
    assert_streams(&t, &id, &bytes).await;
    // No new URLs or progress for a finished upload.
    ask_part_urls(&t, &token, &id, &[1]).await.assert_error(409, "006");
    get_upload(&t, &token, &id).await.assert_error(409, "006");
}

#[tokio::test]
async fn after_delete_and_the_sweep_no_part_url_can_write_and_nothing_remains() {
    let t = small_parts(Config::default()).await;
    let token = register(&t, "deleter", "password1").await;
    let bytes = big_mp4(THREE_PARTS);

    // A ready video: its URLs are refused from /complete on, and still after delete and sweep.
    let ready = create_mp4(&t, &token, bytes.len()).await;
    let ready_id = id_of(&ready);
    let ready_parts = part_urls(&t, &token, &ready_id, &[1, 2, 3]).await;
    for (number, part) in (1..=3).zip(&ready_parts) {
        assert_eq!(put_upload(part, part_bytes(&ready, &bytes, number)).await, 200);
    }
    complete(&t, &token, &ready_id).await.assert_status(200);
    let stream = stream_url(&t, &ready_id).await;

    // A video deleted mid-upload: two parts sent, URLs for all three handed out.
    let pending = create_mp4(&t, &token, bytes.len()).await;
    let pending_id = id_of(&pending);
    let pending_parts = part_urls(&t, &token, &pending_id, &[1, 2, 3]).await;
    for (number, part) in (1..=2).zip(&pending_parts) {
        assert_eq!(put_upload(part, part_bytes(&pending, &bytes, number)).await, 200);
    }

    for id in [&ready_id, &pending_id] {
        assert_eq!(delete(&t, &token, id).await, 204);
        let gone = Req::get("/").param("id", id).header("accept", "application/json").build();
        t.call(handler!(videos::stream_video), gone).await.assert_error(404, "005");
    }
    for part in &ready_parts {
        assert_no_such_upload(
            part,
            vec![b'x'; part_bytes(&ready, &bytes, part["part_number"].as_u64().unwrap() as u32).len()],
        )
        .await;
    }
    let summary = t.sweep().run_as_of(now_epoch() + 3600, LONG_ENOUGH).await.unwrap();
    assert_eq!((summary.records_processed, summary.uploads_aborted, summary.errors), (2, 1, 0));
    for (number, part) in (1..=3).zip(&pending_parts) {
        assert_no_such_upload(part, part_bytes(&pending, &bytes, number)).await;
    }
    for part in &ready_parts {
        let number = part["part_number"].as_u64().unwrap() as u32;
        assert_no_such_upload(part, part_bytes(&ready, &bytes, number)).await;
    }
    for id in [&ready_id, &pending_id] {
        assert_eq!(list_uploads(&t, id).await, 0, "a multipart upload of {id} remains");
        assert!(list_objects(&t, &format!("videos/{id}")).await.is_empty(), "an object of {id} remains");
    }
    // The old stream URL serves nothing any more.
    let old = http_client().get(&stream).send().await.unwrap();
    assert_eq!(old.status().as_u16(), 404);
    assert_eq!(used_bytes(&t, &token).await, 0);
}

#[tokio::test]
async fn after_rejection_no_part_url_can_write_and_the_sweep_removes_the_object() {
    let t = TestApp::new().await;
    let token = register(&t, "impostor", "password1").await;
    let text = fixture("not-a-video.mp4");
    let created = create(&t, &token, json!({"name": "fake", "content_type": "video/mp4", "size": text.len()})).await;
    let id = id_of(&created);
    let parts = part_urls(&t, &token, &id, &all_parts(&created)).await;
    assert_eq!(put_upload(&parts[0], text.clone()).await, 200);
    complete(&t, &token, &id).await.assert_error(422, "010");
    assert_eq!(t.db.get_video(&id).await.unwrap().unwrap().status, VideoStatus::Rejected);
    // The upload was completed to be inspected: its URLs are refused at once.
    assert_no_such_upload(&parts[0], text.clone()).await;
    ask_part_urls(&t, &token, &id, &[1]).await.assert_error(409, "006");
    // Nobody but its owner sees a rejected video.
    let stream = Req::get("/").param("id", &id).header("accept", "application/json").build();
    t.call(handler!(videos::stream_video), stream).await.assert_error(404, "005");
    assert_eq!(used_bytes(&t, &token).await, 0, "rejection gives the bytes back");

    let summary = t.sweep().run_as_of(now_epoch() + 3600, LONG_ENOUGH).await.unwrap();
    assert_eq!((summary.records_processed, summary.errors), (1, 0));
    assert!(list_objects(&t, &format!("videos/{id}")).await.is_empty());
    assert_eq!(list_uploads(&t, &id).await, 0);
    assert_no_such_upload(&parts[0], text).await;
}

#[tokio::test]
async fn a_poster_url_writes_once() {
    let t = TestApp::new().await;
    let token = register(&t, "painter", "password1").await;
    let video = crate::videos::upload(&t, &token, "clip.mp4", "video/mp4", "public").await;
    let id = video["id"].as_str().unwrap();
    let jpeg = fixture("poster.jpg");
    let ask = || {
        Req::post("/").param("id", id).bearer(&token).json(json!({"content_type": "image/jpeg", "size": jpeg.len()}))
    };
    let first = t.call(handler!(videos::create_poster), ask().build()).await.assert_status(201)["upload"].clone();
    assert_eq!(first["headers"]["If-None-Match"], "*");
    assert_eq!(put_upload(&first, jpeg.clone()).await, 200);
    let (status, body) = put_upload_response(&first, jpeg.clone()).await;
    assert_eq!(status, 412, "a second PUT to the same poster URL must be refused: {body}");
    let mut other = jpeg.clone();
    other[100] ^= 0xff;
    assert_eq!(put_upload(&first, other.clone()).await, 412, "other bytes too");

    // Leaving If-None-Match out breaks the signature.
    let second = t.call(handler!(videos::create_poster), ask().build()).await.assert_status(201)["upload"].clone();
    assert_ne!(second["url"], first["url"], "every poster gets a fresh key");
    let mut unconditional = second.clone();
    unconditional["headers"].as_object_mut().unwrap().retain(|name, _| !name.eq_ignore_ascii_case("if-none-match"));
    assert_eq!(put_upload(&unconditional, other.clone()).await, 403);
    assert_eq!(put_upload(&second, other.clone()).await, 200);
    let confirm = Req::post("/").param("id", id).bearer(&token).build();
    t.call(handler!(videos::complete_poster), confirm).await.assert_status(200);
    // The latest poster is served.
    let redirect = t.call(handler!(videos::get_poster), Req::get("/").param("id", id).build()).await;
    assert_eq!(redirect.status.as_u16(), 302);
    let image = http_client().get(redirect.headers["location"].to_str().unwrap()).send().await.unwrap();
    assert_eq!(image.bytes().await.unwrap().as_ref(), other.as_slice());
    assert_eq!(list_objects(&t, &format!("posters/{id}/")).await.len(), 2);
}

#[tokio::test]
async fn after_delete_a_sweep_and_the_urls_expiry_no_object_or_upload_of_the_video_remains() {
    let ttl = 2;
    let t = small_parts(Config { upload_url_ttl_secs: ttl, ..Config::default() }).await;
    let token = register(&t, "vanisher", "password1").await;
    let bytes = big_mp4(THREE_PARTS);
    let created = create_mp4(&t, &token, bytes.len()).await;
    let id = id_of(&created);
    assert_eq!(put_parts(&t, &token, &created, &bytes, &[1]).await, [200]);
    assert_eq!(put_parts(&t, &token, &created, &bytes, &[2]).await, [200]);
    let poster = Req::post("/").param("id", &id).bearer(&token).json(json!({"content_type": "image/png", "size": 10}));
    let poster = t.call(handler!(videos::create_poster), poster.build()).await.assert_status(201)["upload"].clone();
    assert_eq!(put_upload(&poster, vec![1u8; 10]).await, 200);
    let confirm = Req::post("/").param("id", &id).bearer(&token).build();
    t.call(handler!(videos::complete_poster), confirm).await.assert_status(200);
    let last = part_urls(&t, &token, &id, &[3]).await.remove(0);

    assert_eq!(delete(&t, &token, &id).await, 204);
    // A PUT racing the delete, with a URL that is still valid, is accepted by S3...
    assert_eq!(put_upload(&last, part_bytes(&created, &bytes, 3)).await, 200);
    // ...and the record waits until every URL has expired.
    let early = t.sweep().run(LONG_ENOUGH).await.unwrap();
    assert_eq!((early.records_not_due, early.records_processed, early.uploads_aborted), (1, 0, 0));
    assert_eq!(list_uploads(&t, &id).await, 1, "the upload stays until the record is due");
    assert_eq!(t.db.queued(10, None).await.unwrap().len(), 1);

    tokio::time::sleep(Duration::from_secs(ttl + 1)).await;
    let summary = t.sweep().run(LONG_ENOUGH).await.unwrap();
    assert_eq!((summary.records_not_due, summary.records_processed, summary.uploads_aborted), (0, 1, 1));
    assert_eq!(summary.errors, 0);
    assert_eq!(list_uploads(&t, &id).await, 0, "a multipart upload of the video remains");
    assert!(list_objects(&t, &format!("videos/{id}")).await.is_empty(), "a video object remains");
    assert!(list_objects(&t, &format!("posters/{id}")).await.is_empty(), "a poster remains");
    assert!(t.db.queued(10, None).await.unwrap().is_empty());
    let late = put_upload(&last, part_bytes(&created, &bytes, 3)).await;
    assert!(late == 403 || late == 404, "an expired URL of an aborted upload answered {late}");
    assert_eq!(list_uploads(&t, &id).await, 0);
}
