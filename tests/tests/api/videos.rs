//! Videos against the real stack: multipart uploads to LocalStack S3 (with
//! signature validation on), verified completes, lists, streaming and posters,
//! and the upload helpers other tests share. Privacy and ownership:
//! videos_access.rs.

use serde_json::Value;
use vidlet::ports::*;
use vidlet_tests::{fixture, handler, http_client, json, Req, TestApp, TestResponse};

use crate::accounts::register;

/// Creates a video and returns the 201 body.
pub async fn create(t: &TestApp, token: &str, body: Value) -> Value {
    let res = t.call(handler!(videos::create_video), Req::post("/videos").bearer(token).json(body).build()).await;
    res.assert_status(201).clone()
}

/// PUTs bytes to a presigned request (a part, or a poster) with its signed
/// headers; the HTTP client sets Content-Length from the body. S3's status.
pub async fn put_upload(upload: &Value, bytes: Vec<u8>) -> u16 {
    put_upload_response(upload, bytes).await.0
}

/// Like `put_upload`, with S3's body (its error code, say).
pub async fn put_upload_response(upload: &Value, bytes: Vec<u8>) -> (u16, String) {
    // A connection the emulator dropped under load is tried again: the answer that
    // counts is S3's status, not the transport's.
    for attempt in 1.. {
        let mut request = http_client().put(upload["url"].as_str().unwrap()).body(bytes.clone());
        for (name, value) in upload["headers"].as_object().unwrap() {
            if !name.eq_ignore_ascii_case("content-length") {
                request = request.header(name, value.as_str().unwrap());
            }
        }
        match request.send().await {
            Ok(response) => return (response.status().as_u16(), response.text().await.unwrap()),
            Err(err) if attempt < 3 && (err.is_connect() || err.is_request()) => continue,
            Err(err) => panic!("PUT failed: {err}"),
        }
    }
    unreachable!()
}

/// `POST /videos/{id}/upload/parts`.
pub async fn ask_part_urls(t: &TestApp, token: &str, id: &str, numbers: &[u32]) -> TestResponse {
    let req = Req::post(&format!("/videos/{id}/upload/parts"))
        .bearer(token)
        .param("id", id)
        .json(json!({ "part_numbers": numbers }))
        .build();
    t.call(handler!(uploads::upload_parts), req).await
}

/// `GET /videos/{id}/upload`.
pub async fn get_upload(t: &TestApp, token: &str, id: &str) -> TestResponse {
    let req = Req::get(&format!("/videos/{id}/upload")).bearer(token).param("id", id).build();
    t.call(handler!(uploads::get_upload), req).await
}

/// The part URLs of `numbers` (asked 100 at a time), in that order.
pub async fn part_urls(t: &TestApp, token: &str, id: &str, numbers: &[u32]) -> Vec<Value> {
    let mut parts = Vec::new();
    for chunk in numbers.chunks(100) {
        let res = ask_part_urls(t, token, id, chunk).await;
        parts.extend(res.assert_status(200)["parts"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(parts.len(), numbers.len());
    parts
}

/// Part numbers `1..=part_count` of a 201 body's plan.
pub fn all_parts(created: &Value) -> Vec<u32> {
    (1..=created["upload"]["part_count"].as_u64().unwrap() as u32).collect()
}

/// Part `number`'s slice of `bytes` by the plan (shorter, or empty, when
/// `bytes` is shorter than the declared size).
pub fn part_bytes(created: &Value, bytes: &[u8], number: u32) -> Vec<u8> {
    let part_size = created["upload"]["part_size"].as_u64().unwrap() as usize;
    let start = (number as usize - 1) * part_size;
    let end = (start + part_size).min(bytes.len());
    bytes.get(start..end).unwrap_or_default().to_vec()
}

/// Asks for the URLs of `numbers` and PUTs each its slice of `bytes`; S3's
/// statuses in that order.
pub async fn put_parts(t: &TestApp, token: &str, created: &Value, bytes: &[u8], numbers: &[u32]) -> Vec<u16> {
    let id = created["video"]["id"].as_str().unwrap();
    let mut statuses = Vec::new();
    for part in part_urls(t, token, id, numbers).await {
        let number = part["part_number"].as_u64().unwrap() as u32;
        statuses.push(put_upload(&part, part_bytes(created, bytes, number)).await);
    }
    statuses
}

/// Every part of the plan: S3's statuses in part order.
pub async fn put_all_parts(t: &TestApp, token: &str, created: &Value, bytes: &[u8]) -> Vec<u16> {
    put_parts(t, token, created, bytes, &all_parts(created)).await
}

pub async fn complete(t: &TestApp, token: &str, id: &str) -> TestResponse {
    let req = Req::post(&format!("/videos/{id}/complete")).bearer(token).param("id", id).build();
    t.call(handler!(videos::complete_video), req).await
}

/// Create, upload `bytes` in parts and complete: the ready video.
pub async fn upload_bytes(
    t: &TestApp,
    token: &str,
    name: &str,
    bytes: &[u8],
    content_type: &str,
    privacy: &str,
) -> Value {
    let body = json!({"name": name, "content_type": content_type, "size": bytes.len(), "privacy": privacy});
    let created = create(t, token, body).await;
    let statuses = put_all_parts(t, token, &created, bytes).await;
    assert!(statuses.iter().all(|&s| s == 200), "part PUTs answered {statuses:?}");
    let id = created["video"]["id"].as_str().unwrap();
    complete(t, token, id).await.assert_status(200)["video"].clone()
}

/// Create, upload a fixture and complete: the ready video.
pub async fn upload(t: &TestApp, token: &str, fixture_name: &str, content_type: &str, privacy: &str) -> Value {
    upload_bytes(t, token, fixture_name, &fixture(fixture_name), content_type, privacy).await
}

pub fn get_req(id: &str, token: Option<&str>) -> lambda_http::Request {
    let req = Req::get(&format!("/videos/{id}")).param("id", id);
    match token {
        Some(token) => req.bearer(token).build(),
        None => req.build(),
    }
}

pub async fn feed_ids(t: &TestApp) -> Vec<String> {
    let res = t.call(handler!(videos::list_videos), Req::get("/videos").build()).await;
    ids(res.assert_status(200), "videos")
}

pub async fn user_list_ids(t: &TestApp, username: &str, token: Option<&str>) -> Vec<String> {
    let mut req = Req::get(&format!("/users/{username}/videos")).param("username", username);
    if let Some(token) = token {
        req = req.bearer(token);
    }
    let res = t.call(handler!(videos::list_user_videos), req.build()).await;
    ids(res.assert_status(200), "videos")
}

pub fn ids(body: &Value, field: &str) -> Vec<String> {
    body[field].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn full_cycle_upload_complete_list_and_stream_with_ranges() {
    let t = TestApp::new().await;
    let token = register(&t, "uploader", "password1").await;
    let bytes = fixture("clip.mp4");
    let created = create(
        &t,
        &token,
        json!({"name": "My clip", "content_type": "video/mp4", "size": bytes.len(), "description": "three seconds"}),
    )
    .await;
    let video = &created["video"];
    assert_eq!(video["status"], "pending");
    assert_eq!(video["privacy"], "public");
    assert_eq!(video["owner"], "uploader");
    // The plan: a small file is one part of the default 8 MiB part size; no URL yet.
    let upload = &created["upload"];
    assert_eq!((upload["part_size"].as_u64(), upload["part_count"].as_u64()), (Some(8 * 1024 * 1024), Some(1)));
    assert!(upload["expires_at"].as_str().is_some_and(|at| at.ends_with('Z')), "{upload}");
    assert!(upload.get("url").is_none(), "no single presigned PUT any more: {upload}");
    let id = video["id"].as_str().unwrap();
    // Pending: only the owner sees it, and it is in no public list.
    t.call(handler!(videos::get_video), get_req(id, None)).await.assert_error(404, "005");
    assert!(!feed_ids(&t).await.contains(&id.to_owned()));

    let parts = part_urls(&t, &token, id, &[1]).await;
    assert_eq!(parts[0]["part_number"], 1);
    assert_eq!(parts[0]["method"], "PUT");
    assert_eq!(parts[0]["headers"]["Content-Length"], bytes.len().to_string());
    assert!(parts[0]["expires_at"].as_str().is_some_and(|at| at.ends_with('Z')));
    assert_eq!(put_upload(&parts[0], bytes.clone()).await, 200);
    let ready = complete(&t, &token, id).await.assert_status(200)["video"].clone();
    assert_eq!(ready["status"], "ready");
    assert_eq!((ready["width"].as_u64(), ready["height"].as_u64()), (Some(320), Some(240)));
    let duration = ready["duration_seconds"].as_f64().unwrap();
    assert!((2.9..3.2).contains(&duration), "duration {duration}");
    // A second complete answers the same.
    let again = complete(&t, &token, id).await;
    assert_eq!(again.assert_status(200)["video"], ready);

    let anyone = t.call(handler!(videos::get_video), get_req(id, None)).await;
    assert_eq!(anyone.assert_status(200)["name"], "My clip");
    assert_eq!(feed_ids(&t).await, vec![id.to_owned()]);
    assert_eq!(user_list_ids(&t, "uploader", None).await, vec![id.to_owned()]);

    // Stream: a 302 to a presigned GET that serves ranges.
    let stream = t.call(handler!(videos::stream_video), Req::get("/").param("id", id).build()).await;
    assert_eq!(stream.status.as_u16(), 302);
    let location = stream.headers["location"].to_str().unwrap().to_owned();
    assert!(location.contains("X-Amz-Signature") && location.contains("response-content-type=video%2Fmp4"));
    let first = http_client().get(&location).header("range", "bytes=0-1").send().await.unwrap();
    assert_eq!(first.status().as_u16(), 206);
    assert_eq!(first.headers()["content-range"], format!("bytes 0-1/{}", bytes.len()).as_str());
    assert_eq!(first.headers()["content-type"], "video/mp4");
    assert_eq!(first.bytes().await.unwrap().as_ref(), &bytes[0..2]);
    let seek = http_client().get(&location).header("range", "bytes=20000-20999").send().await.unwrap();
    assert_eq!(seek.status().as_u16(), 206);
    assert_eq!(seek.bytes().await.unwrap().as_ref(), &bytes[20000..21000]);
    // Streaming counts no view: the page reports one once it has played (views.rs).
    let viewed = t.call(handler!(videos::get_video), get_req(id, None)).await;
    assert_eq!(viewed.assert_status(200)["views"], 0);
}

#[tokio::test]
async fn s3_refuses_a_part_of_another_size_and_the_type_is_the_declared_one() {
    let t = TestApp::new().await;
    let token = register(&t, "sneaky", "password1").await;
    let bytes = fixture("clip.mp4");
    let created = create(&t, &token, json!({"name": "x", "content_type": "video/mp4", "size": bytes.len()})).await;
    let id = created["video"]["id"].as_str().unwrap();
    let part = &part_urls(&t, &token, id, &[1]).await[0];
    let mut longer = bytes.clone();
    longer.extend([0u8; 1000]);
    let more = put_upload(part, longer).await;
    assert!(more == 403 || more == 400, "a larger part must be refused, S3 answered {more}");
    let fewer = put_upload(part, bytes[..bytes.len() - 1].to_vec()).await;
    assert!(fewer == 403 || fewer == 400, "a shorter part must be refused, S3 answered {fewer}");
    assert!(get_upload(&t, &token, id).await.assert_status(200)["parts"].as_array().unwrap().is_empty());
    // A part carries no type: whatever the PUT says, the object has the type declared at create.
    let mut as_html = part.clone();
    as_html["headers"]["Content-Type"] = json!("text/html");
    assert_eq!(put_upload(&as_html, bytes.clone()).await, 200, "the presigned request itself works");
    complete(&t, &token, id).await.assert_status(200);
    let head = t.s3.head_object().bucket(&t.config.bucket).key(format!("videos/{id}")).send().await.unwrap();
    assert_eq!(head.content_type(), Some("video/mp4"));
    assert_eq!(head.content_length(), Some(bytes.len() as i64));
}

#[tokio::test]
async fn other_containers_are_accepted_and_their_metadata_read() {
    let t = TestApp::new().await;
    let token = register(&t, "formats", "password1").await;
    let webm = upload(&t, &token, "clip.webm", "video/webm", "public").await;
    assert_eq!((webm["width"].as_u64(), webm["height"].as_u64()), (Some(320), Some(240)));
    // moov after mdat: a second ranged read fetches it.
    let late_moov = upload(&t, &token, "clip-moov-at-end.mp4", "video/mp4", "public").await;
    assert!((2.9..3.2).contains(&late_moov["duration_seconds"].as_f64().unwrap()));
    let mov = upload(&t, &token, "clip.mov", "video/quicktime", "public").await;
    assert_eq!(mov["status"], "ready");
}

#[tokio::test]
async fn uploads_that_are_not_videos_are_rejected_and_queued_for_deletion() {
    let t = TestApp::new().await;
    let token = register(&t, "faker", "password1").await;
    let cases = [
        ("not-a-video.mp4", "video/mp4"),
        ("clip.webm", "video/mp4"), // container does not match the type
    ];
    for (name, content_type) in cases {
        let bytes = fixture(name);
        let created =
            create(&t, &token, json!({"name": name, "content_type": content_type, "size": bytes.len()})).await;
        assert_eq!(put_all_parts(&t, &token, &created, &bytes).await, vec![200]);
        let id = created["video"]["id"].as_str().unwrap();
        complete(&t, &token, id).await.assert_error(422, "010");
        let stored = t.db.get_video(id).await.unwrap().unwrap();
        assert_eq!(stored.status, vidlet::domain::video::VideoStatus::Rejected, "{name}");
        let queued = t.db.queued(100, None).await.unwrap();
        assert!(queued.iter().any(|r| r.video_id == id && r.reason == "rejected"), "{name} queued");
        // Completing again stays rejected.
        complete(&t, &token, id).await.assert_error(422, "010");
    }
}

#[tokio::test]
async fn a_truncated_or_missing_upload_is_a_missing_part_and_stays_pending() {
    let t = TestApp::new().await;
    let token = register(&t, "truncator", "password1").await;
    let bytes = fixture("clip.mp4");
    let created = create(&t, &token, json!({"name": "short", "content_type": "video/mp4", "size": bytes.len()})).await;
    let id = created["video"]["id"].as_str().unwrap();
    // Nothing uploaded yet.
    let res = complete(&t, &token, id).await;
    res.assert_error(422, "010");
    assert_eq!(res.body["error"], "parts missing: 1");
    // Fewer bytes than declared: the part URL refuses them...
    let truncated = put_parts(&t, &token, &created, &bytes[..100], &[1]).await;
    assert!(truncated[0] == 403 || truncated[0] == 400, "S3 answered {truncated:?}");
    // ...and a part of the wrong size sent through a second, honest URL for fewer bytes counts as missing.
    let upload_id = t.db.get_video(id).await.unwrap().unwrap().upload_id.expect("pending: an upload id");
    let videos = t.bucket.scoped(vidlet::store::s3::VIDEOS);
    let smaller = videos.presign_part(&format!("videos/{id}"), &upload_id, 1, 100, 60).await.unwrap();
    let smaller = serde_json::to_value(smaller).unwrap();
    assert_eq!(put_upload(&smaller, bytes[..100].to_vec()).await, 200);
    assert!(get_upload(&t, &token, id).await.assert_status(200)["parts"].as_array().unwrap().is_empty());
    let res = complete(&t, &token, id).await;
    res.assert_error(422, "010");
    assert_eq!(res.body["error"], "parts missing: 1");
    let stored = t.db.get_video(id).await.unwrap().unwrap();
    assert_eq!(stored.status, vidlet::domain::video::VideoStatus::Pending);
    assert!(t.db.queued(100, None).await.unwrap().is_empty(), "nothing queued for a video still pending");
    // The whole part replaces it, and the upload goes on.
    assert_eq!(put_all_parts(&t, &token, &created, &bytes).await, vec![200]);
    assert_eq!(complete(&t, &token, id).await.assert_status(200)["video"]["status"], "ready");
}

#[tokio::test]
async fn create_checks_its_input() {
    let t = TestApp::new().await;
    let token = register(&t, "checker", "password1").await;
    let cases = [
        (json!({"name": "", "content_type": "video/mp4", "size": 10}), 400, "001"),
        (json!({"name": "x".repeat(201), "content_type": "video/mp4", "size": 10}), 400, "001"),
        (json!({"name": "a", "content_type": "video/mp4", "size": -1}), 400, "001"),
        (json!({"name": "a", "content_type": "video/mp4", "size": 0}), 400, "001"),
        (json!({"name": "a", "content_type": "video/mp4", "size": 5 * 1024 * 1024 * 1024u64 + 1}), 413, "008"),
        (json!({"name": "a", "content_type": "video/mp4", "size": 9223372036854775808u64}), 413, "008"),
        (json!({"name": "a", "content_type": "image/gif", "size": 10}), 415, "011"),
        (json!({"name": "a", "content_type": "video/mp4", "size": 10, "privacy": "secret"}), 400, "001"),
        (json!({"name": "a", "content_type": "video/mp4", "size": 10, "owner": "someone"}), 400, "001"),
    ];
    for (body, status, code) in cases {
        let res = t
            .call(handler!(videos::create_video), Req::post("/videos").bearer(&token).json(body.clone()).build())
            .await;
        assert_eq!(res.status.as_u16(), status, "{body}: {}", res.body);
        assert_eq!(res.body["error_code"], code, "{body}");
    }
    let anonymous = Req::post("/videos").json(json!({"name": "a", "content_type": "video/mp4", "size": 10})).build();
    t.call(handler!(videos::create_video), anonymous).await.assert_error(401, "002");
    // Nothing was created by any of these.
    assert!(user_list_ids(&t, "checker", Some(&token)).await.is_empty());
}

#[tokio::test]
async fn posters_upload_and_redirect() {
    let t = TestApp::new().await;
    let token = register(&t, "painter", "password1").await;
    let id = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let get_poster = || Req::get("/").param("id", &id).build();
    t.call(handler!(videos::get_poster), get_poster()).await.assert_error(404, "005");

    let jpeg = fixture("poster.jpg");
    let bad_type =
        Req::post("/").param("id", &id).bearer(&token).json(json!({"content_type": "image/gif", "size": 10})).build();
    t.call(handler!(videos::create_poster), bad_type).await.assert_error(415, "011");
    let too_big = Req::post("/")
        .param("id", &id)
        .bearer(&token)
        .json(json!({"content_type": "image/jpeg", "size": 3_000_000}))
        .build();
    t.call(handler!(videos::create_poster), too_big).await.assert_error(413, "008");
    let stranger = register(&t, "vandal", "password1").await;
    let not_owner = Req::post("/")
        .param("id", &id)
        .bearer(&stranger)
        .json(json!({"content_type": "image/jpeg", "size": 10}))
        .build();
    t.call(handler!(videos::create_poster), not_owner).await.assert_error(403, "007");

    let req = Req::post("/")
        .param("id", &id)
        .bearer(&token)
        .json(json!({"content_type": "image/jpeg", "size": jpeg.len()}))
        .build();
    let res = t.call(handler!(videos::create_poster), req).await;
    assert_eq!(put_upload(&res.assert_status(201)["upload"], jpeg.clone()).await, 200);
    let confirm = Req::post("/").param("id", &id).bearer(&token).build();
    t.call(handler!(videos::complete_poster), confirm).await.assert_status(200);
    let redirect = t.call(handler!(videos::get_poster), get_poster()).await;
    assert_eq!(redirect.status.as_u16(), 302);
    let image = http_client().get(redirect.headers["location"].to_str().unwrap()).send().await.unwrap();
    assert_eq!(image.status().as_u16(), 200);
    assert_eq!(image.headers()["content-type"], "image/jpeg");
    assert_eq!(image.bytes().await.unwrap().as_ref(), jpeg.as_slice());
    let listed = t.call(handler!(videos::list_videos), Req::get("/videos").build()).await;
    assert_eq!(listed.assert_status(200)["videos"][0]["has_poster"], true);
}
