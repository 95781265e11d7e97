//! Multipart uploads (issue 11) against DynamoDB Local and LocalStack S3 with
//! signatures enforced: uploads of several parts, parts of the wrong length,
//! missing parts and resume, and the upload routes' input. That no URL handed
//! out can change or leave an object afterwards: multipart_stale_urls.rs.

use serde_json::Value;
use vidlet::config::Config;
use vidlet::domain::video::VideoStatus;
use vidlet::ports::*;
use vidlet_tests::{fixture, handler, http_client, json, Req, TestApp};

use crate::accounts::register;
use crate::videos::{
    ask_part_urls, complete, create, get_upload, part_bytes, part_urls, put_all_parts, put_parts, put_upload,
};

const MIB: usize = 1024 * 1024;
/// 5 + 5 + 1 MiB and a bit: three parts at S3's smallest part size, the last an odd length.
pub const THREE_PARTS: usize = 11 * MIB + 12_345;

/// An app that plans 5 MiB parts (S3's floor), so three parts are 11 MiB.
pub async fn small_parts(config: Config) -> TestApp {
    TestApp::with_config(Config { min_part_bytes: 5 * MIB as u64, ..config }).await
}

/// A valid MP4 of exactly `size` bytes: clip.mp4 (moov first) and a top-level
/// `free` box filling the rest with a pattern, so every offset has its own bytes.
pub fn big_mp4(size: usize) -> Vec<u8> {
    let mut bytes = fixture("clip.mp4");
    let free = size - bytes.len();
    assert!(free >= 8);
    bytes.extend((free as u32).to_be_bytes());
    bytes.extend(b"free");
    bytes.extend((0..free - 8).map(|i| (i % 251) as u8));
    assert_eq!(bytes.len(), size);
    bytes
}

/// The stream's presigned URL, asked for as JSON.
pub async fn stream_url(t: &TestApp, id: &str) -> String {
    let req = Req::get(&format!("/videos/{id}/stream")).param("id", id).header("accept", "application/json").build();
    let res = t.call(handler!(videos::stream_video), req).await;
    res.assert_status(200)["url"].as_str().unwrap().to_owned()
}

/// `bytes=start-end` (inclusive) of a URL.
async fn range(url: &str, start: usize, end: usize) -> Vec<u8> {
    let res = http_client().get(url).header("range", format!("bytes={start}-{end}")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 206, "range {start}-{end}");
    res.bytes().await.unwrap().to_vec()
}

/// The stream serves exactly `bytes`: ranges at the start, across the part
/// boundaries, in the middle and at the end, then the whole object.
pub async fn assert_streams(t: &TestApp, id: &str, bytes: &[u8]) {
    let url = stream_url(t, id).await;
    let n = bytes.len();
    for (start, end) in
        [(0, 65_535), (5 * MIB - 100, 5 * MIB + 99), (n / 2, n / 2 + 4095), (10 * MIB - 1, 10 * MIB), (n - 1000, n - 1)]
    {
        let (start, end) = (start.min(n - 1), end.min(n - 1));
        assert_eq!(range(&url, start, end).await, &bytes[start..=end], "bytes {start}-{end}");
    }
    let whole = http_client().get(&url).send().await.unwrap();
    assert_eq!(whole.status().as_u16(), 200);
    let whole = whole.bytes().await.unwrap();
    assert_eq!(whole.len(), n);
    assert!(whole.as_ref() == bytes, "the stream serves other bytes than were uploaded");
}

pub async fn list_uploads(t: &TestApp, id: &str) -> usize {
    let out =
        t.s3.list_multipart_uploads().bucket(&t.config.bucket).prefix(format!("videos/{id}")).send().await.unwrap();
    out.uploads().len()
}

fn held(progress: &Value) -> Vec<(u64, u64)> {
    let parts = progress["parts"].as_array().unwrap();
    parts.iter().map(|p| (p["part_number"].as_u64().unwrap(), p["size"].as_u64().unwrap())).collect()
}

pub async fn create_mp4(t: &TestApp, token: &str, size: usize) -> Value {
    create(t, token, json!({"name": "big", "content_type": "video/mp4", "size": size})).await
}

pub fn id_of(created: &Value) -> String {
    created["video"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_three_part_upload_ends_ready_and_streams_the_same_bytes() {
    let t = small_parts(Config::default()).await;
    let token = register(&t, "uploader", "password1").await;
    let bytes = big_mp4(THREE_PARTS);
    let created = create_mp4(&t, &token, bytes.len()).await;
    let upload = &created["upload"];
    assert_eq!((upload["part_size"].as_u64(), upload["part_count"].as_u64()), (Some(5 * MIB as u64), Some(3)));
    let id = id_of(&created);
    assert!(held(get_upload(&t, &token, &id).await.assert_status(200)).is_empty());

    let parts = part_urls(&t, &token, &id, &[1, 2, 3]).await;
    let lengths: Vec<&str> = parts.iter().map(|p| p["headers"]["Content-Length"].as_str().unwrap()).collect();
    assert_eq!(lengths, ["5242880", "5242880", &(MIB + 12_345).to_string()]);
    // Parts may arrive in any order.
    for number in [3, 1, 2] {
        let part = &parts[number as usize - 1];
        assert_eq!(put_upload(part, part_bytes(&created, &bytes, number)).await, 200, "part {number}");
    }
    let progress = get_upload(&t, &token, &id).await;
    let progress = progress.assert_status(200);
    assert_eq!((progress["part_size"].as_u64(), progress["part_count"].as_u64()), (Some(5 * MIB as u64), Some(3)));
    assert_eq!(held(progress), [(1, 5 * MIB as u64), (2, 5 * MIB as u64), (3, (MIB + 12_345) as u64)]);

    let ready = complete(&t, &token, &id).await.assert_status(200)["video"].clone();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["size"], THREE_PARTS);
    assert_eq!((ready["width"].as_u64(), ready["height"].as_u64()), (Some(320), Some(240)));
    assert!((2.9..3.2).contains(&ready["duration_seconds"].as_f64().unwrap()));
    let head = t.s3.head_object().bucket(&t.config.bucket).key(format!("videos/{id}")).send().await.unwrap();
    assert_eq!((head.content_length(), head.content_type()), (Some(THREE_PARTS as i64), Some("video/mp4")));
    assert_eq!(list_uploads(&t, &id).await, 0, "the multipart upload is complete");
    assert_streams(&t, &id, &bytes).await;
}

#[tokio::test]
async fn a_part_of_the_wrong_length_is_refused_by_s3() {
    let t = small_parts(Config::default()).await;
    let token = register(&t, "sloppy", "password1").await;
    let bytes = big_mp4(THREE_PARTS);
    let created = create_mp4(&t, &token, bytes.len()).await;
    let id = id_of(&created);
    let parts = part_urls(&t, &token, &id, &[1, 2, 3]).await;
    let cases = [
        (1, 5 * MIB - 1, "one byte fewer"),
        (2, 5 * MIB + 1, "one byte more"),
        (3, 5 * MIB, "a whole part instead of the short last one"),
        (3, 0, "nothing"),
    ];
    for (number, length, what) in cases {
        let status = put_upload(&parts[number - 1], vec![9u8; length]).await;
        assert_ne!(status, 200, "part {number} with {what}: S3 accepted it");
        assert!(status == 400 || status == 403, "part {number} with {what}: S3 answered {status}");
    }
    assert!(held(get_upload(&t, &token, &id).await.assert_status(200)).is_empty(), "no part was stored");
    let res = complete(&t, &token, &id).await;
    res.assert_error(422, "010");
    assert_eq!(res.body["error"], "parts missing: 1, 2, 3");
    // The same URLs with the right bytes work.
    for (number, part) in (1..=3).zip(&parts) {
        assert_eq!(put_upload(part, part_bytes(&created, &bytes, number)).await, 200);
    }
    complete(&t, &token, &id).await.assert_status(200);
    assert_streams(&t, &id, &bytes).await;
}

#[tokio::test]
async fn complete_with_a_part_missing_names_it_and_the_video_stays_pending_until_it_is_sent() {
    let t = small_parts(Config::default()).await;
    let token = register(&t, "resumer", "password1").await;
    let bytes = big_mp4(THREE_PARTS);
    let created = create_mp4(&t, &token, bytes.len()).await;
    let id = id_of(&created);
    assert_eq!(put_parts(&t, &token, &created, &bytes, &[1]).await, [200]);
    let res = complete(&t, &token, &id).await;
    res.assert_error(422, "010");
    assert_eq!(res.body["error"], "parts missing: 2, 3");

    assert_eq!(put_parts(&t, &token, &created, &bytes, &[3]).await, [200]);
    let res = complete(&t, &token, &id).await;
    res.assert_error(422, "010");
    assert_eq!(res.body["error"], "parts missing: 2");
    let stored = t.db.get_video(&id).await.unwrap().unwrap();
    assert_eq!(stored.status, VideoStatus::Pending);
    assert!(stored.upload_id.is_some());
    assert!(t.db.queued(10, None).await.unwrap().is_empty(), "nothing is queued for deletion");
    assert_eq!(list_uploads(&t, &id).await, 1, "the multipart upload goes on");
    // A resuming client learns what is there and sends only the rest.
    assert_eq!(
        held(get_upload(&t, &token, &id).await.assert_status(200)),
        [(1, 5 * MIB as u64), (3, (MIB + 12_345) as u64)]
    );
    assert_eq!(put_parts(&t, &token, &created, &bytes, &[2]).await, [200]);
    let ready = complete(&t, &token, &id).await;
    assert_eq!(ready.assert_status(200)["video"]["status"], "ready");
    assert_streams(&t, &id, &bytes).await;
}

#[tokio::test]
async fn the_upload_routes_list_exactly_the_parts_sent_check_their_input_and_hide_from_strangers() {
    let t = small_parts(Config::default()).await;
    let token = register(&t, "careful", "password1").await;
    let stranger = register(&t, "stranger", "password1").await;
    let bytes = big_mp4(THREE_PARTS);
    let created = create_mp4(&t, &token, bytes.len()).await;
    let id = id_of(&created);
    assert_eq!(put_parts(&t, &token, &created, &bytes, &[2]).await, [200]);
    assert_eq!(held(get_upload(&t, &token, &id).await.assert_status(200)), [(2, 5 * MIB as u64)]);
    // Sending a part again replaces it; it is listed once.
    assert_eq!(put_parts(&t, &token, &created, &bytes, &[2, 3]).await, [200, 200]);
    assert_eq!(
        held(get_upload(&t, &token, &id).await.assert_status(200)),
        [(2, 5 * MIB as u64), (3, (MIB + 12_345) as u64)]
    );

    // Strangers and missing videos: 404 on both routes, exactly as for nothing at all.
    ask_part_urls(&t, &stranger, &id, &[1]).await.assert_error(404, "005");
    get_upload(&t, &stranger, &id).await.assert_error(404, "005");
    let missing = uuid::Uuid::now_v7().to_string();
    ask_part_urls(&t, &token, &missing, &[1]).await.assert_error(404, "005");
    get_upload(&t, &token, &missing).await.assert_error(404, "005");
    let anonymous = Req::get("/").param("id", &id).build();
    t.call(handler!(uploads::get_upload), anonymous).await.assert_error(401, "002");
    let anonymous = Req::post("/").param("id", &id).json(json!({"part_numbers": [1]})).build();
    t.call(handler!(uploads::upload_parts), anonymous).await.assert_error(401, "002");

    for numbers in [vec![0], vec![4], vec![1, 1], vec![], vec![1, 2, 3, 4]] {
        let res = ask_part_urls(&t, &token, &id, &numbers).await;
        assert_eq!(res.status.as_u16(), 400, "{numbers:?}: {}", res.body);
        assert_eq!(res.body["error_code"], "001", "{numbers:?}");
    }
    for body in
        [json!({}), json!({"part_numbers": "1"}), json!({"part_numbers": [-1]}), json!({"part_numbers": [1], "x": 1})]
    {
        let req = Req::post("/").param("id", &id).bearer(&token).json(body.clone()).build();
        let res = t.call(handler!(uploads::upload_parts), req).await;
        assert_eq!((res.status.as_u16(), res.body["error_code"].as_str()), (400, Some("001")), "{body}");
    }

    // At most 100 URLs a call: a plan of 101 parts (nothing is sent, so only its size matters).
    let many = create_mp4(&t, &token, 101 * 5 * MIB - 7).await;
    assert_eq!(many["upload"]["part_count"], 101);
    let many_id = id_of(&many);
    let first_hundred: Vec<u32> = (1..=100).collect();
    let urls = ask_part_urls(&t, &token, &many_id, &first_hundred).await;
    let urls = urls.assert_status(200)["parts"].as_array().unwrap().clone();
    assert_eq!(urls.len(), 100);
    let distinct: std::collections::HashSet<&str> = urls.iter().map(|p| p["url"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), 100);
    let all: Vec<u32> = (1..=101).collect();
    ask_part_urls(&t, &token, &many_id, &all).await.assert_error(400, "001");
    let last = ask_part_urls(&t, &token, &many_id, &[101]).await;
    assert_eq!(last.assert_status(200)["parts"][0]["headers"]["Content-Length"], (5 * MIB - 7).to_string());

    // Nothing of this touched the stranger's view, or the upload.
    assert_eq!(held(get_upload(&t, &token, &id).await.assert_status(200)).len(), 2);
    put_all_parts(&t, &token, &created, &bytes).await;
    complete(&t, &token, &id).await.assert_status(200);
    ask_part_urls(&t, &stranger, &id, &[1]).await.assert_error(404, "005");
    get_upload(&t, &stranger, &id).await.assert_error(404, "005");
}
