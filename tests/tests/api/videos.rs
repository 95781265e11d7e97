//! Videos against the real stack: presigned uploads to LocalStack S3 (with
//! signature validation on), verified completes, lists, streaming and privacy.

use serde_json::Value;
use vidlet::ports::*;
use vidlet_tests::{fixture, handler, http_client, json, Req, TestApp};

use crate::accounts::register;

/// Creates a video and returns the 201 body.
pub async fn create(t: &TestApp, token: &str, body: Value) -> Value {
    let res = t.call(handler!(videos::create_video), Req::post("/videos").bearer(token).json(body).build()).await;
    res.assert_status(201).clone()
}

/// PUTs bytes to a presigned upload with its headers; returns S3's status.
pub async fn put_upload(upload: &Value, bytes: Vec<u8>) -> u16 {
    let mut request = http_client().put(upload["url"].as_str().unwrap()).body(bytes);
    for (name, value) in upload["headers"].as_object().unwrap() {
        if !name.eq_ignore_ascii_case("content-length") {
            request = request.header(name, value.as_str().unwrap());
        }
    }
    request.send().await.unwrap().status().as_u16()
}

pub async fn complete(t: &TestApp, token: &str, id: &str) -> vidlet_tests::TestResponse {
    let req = Req::post(&format!("/videos/{id}/complete")).bearer(token).param("id", id).build();
    t.call(handler!(videos::complete_video), req).await
}

/// Create, upload a fixture and complete: the ready video.
pub async fn upload(t: &TestApp, token: &str, fixture_name: &str, content_type: &str, privacy: &str) -> Value {
    let bytes = fixture(fixture_name);
    let created = create(
        t,
        token,
        json!({"name": fixture_name, "content_type": content_type, "size": bytes.len(), "privacy": privacy}),
    )
    .await;
    assert_eq!(put_upload(&created["upload"], bytes).await, 200);
    let id = created["video"]["id"].as_str().unwrap();
    complete(t, token, id).await.assert_status(200)["video"].clone()
}

fn get_req(id: &str, token: Option<&str>) -> lambda_http::Request {
    let req = Req::get(&format!("/videos/{id}")).param("id", id);
    match token {
        Some(token) => req.bearer(token).build(),
        None => req.build(),
    }
}

async fn feed_ids(t: &TestApp) -> Vec<String> {
    let res = t.call(handler!(videos::list_videos), Req::get("/videos").build()).await;
    ids(res.assert_status(200), "videos")
}

async fn user_list_ids(t: &TestApp, username: &str, token: Option<&str>) -> Vec<String> {
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
    let upload = &created["upload"];
    assert_eq!(upload["method"], "PUT");
    assert_eq!(upload["headers"]["Content-Type"], "video/mp4");
    assert_eq!(upload["headers"]["Content-Length"], bytes.len().to_string());
    let id = video["id"].as_str().unwrap();
    // Pending: only the owner sees it, and it is in no public list.
    t.call(handler!(videos::get_video), get_req(id, None)).await.assert_error(404, "005");
    assert!(!feed_ids(&t).await.contains(&id.to_owned()));

    assert_eq!(put_upload(upload, bytes.clone()).await, 200);
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
    // The view was counted atomically.
    let viewed = t.call(handler!(videos::get_video), get_req(id, None)).await;
    assert_eq!(viewed.assert_status(200)["views"], 1);
}

#[tokio::test]
async fn s3_refuses_a_put_of_another_size_or_type_than_presigned() {
    let t = TestApp::new().await;
    let token = register(&t, "sneaky", "password1").await;
    let created = create(&t, &token, json!({"name": "x", "content_type": "video/mp4", "size": 1000})).await;
    let upload = &created["upload"];
    let url = upload["url"].as_str().unwrap();
    let more = http_client().put(url).header("content-type", "video/mp4").body(vec![0u8; 2000]).send().await.unwrap();
    assert_eq!(more.status().as_u16(), 403, "a larger body must be refused");
    let other_type =
        http_client().put(url).header("content-type", "text/html").body(vec![0u8; 1000]).send().await.unwrap();
    assert_eq!(other_type.status().as_u16(), 403, "another content type must be refused");
    assert_eq!(put_upload(upload, vec![0u8; 1000]).await, 200, "the presigned request itself works");
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
        ("not-a-video.mp4", "video/mp4", None),
        ("clip.webm", "video/mp4", None),     // container does not match the type
        ("clip.mp4", "video/mp4", Some(100)), // declared size differs from the upload
    ];
    for (name, content_type, truncate) in cases {
        let mut bytes = fixture(name);
        let declared = bytes.len();
        let created = create(&t, &token, json!({"name": name, "content_type": content_type, "size": declared})).await;
        if let Some(keep) = truncate {
            // Upload through a second, honest presigned URL for fewer bytes to the same key.
            bytes.truncate(keep);
            let key = format!("videos/{}", created["video"]["id"].as_str().unwrap());
            let smaller = t.media().presign_put(&key, content_type, keep as u64, 60).await.unwrap();
            assert_eq!(put_upload(&serde_json::to_value(&smaller).unwrap(), bytes).await, 200);
        } else {
            assert_eq!(put_upload(&created["upload"], bytes).await, 200);
        }
        let id = created["video"]["id"].as_str().unwrap();
        complete(&t, &token, id).await.assert_error(422, "010");
        let stored = t.db.get_video(id).await.unwrap().unwrap();
        assert_eq!(stored.status, vidlet::domain::video::VideoStatus::Rejected, "{name}");
        let queued = t.db.queued(100, None).await.unwrap();
        assert!(queued.iter().any(|r| r.video_id == id && r.reason == "rejected"), "{name} queued");
        // Completing again stays rejected.
        complete(&t, &token, id).await.assert_error(422, "010");
    }
    // A complete with nothing uploaded is rejected too.
    let created = create(&t, &token, json!({"name": "empty", "content_type": "video/mp4", "size": 10})).await;
    complete(&t, &token, created["video"]["id"].as_str().unwrap()).await.assert_error(422, "010");
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
        (json!({"name": "a", "content_type": "video/mp4", "size": 52428801u64}), 413, "008"),
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
async fn privacy_unlisted_and_private() {
    let t = TestApp::new().await;
    let owner = register(&t, "owner", "password1").await;
    let stranger = register(&t, "stranger", "password1").await;
    let public = upload(&t, &owner, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let unlisted = upload(&t, &owner, "clip.mp4", "video/mp4", "unlisted").await["id"].as_str().unwrap().to_owned();
    let private = upload(&t, &owner, "clip.mp4", "video/mp4", "private").await["id"].as_str().unwrap().to_owned();

    assert_eq!(feed_ids(&t).await, vec![public.clone()]);
    assert_eq!(user_list_ids(&t, "owner", Some(&stranger)).await, vec![public.clone()]);
    assert_eq!(user_list_ids(&t, "owner", Some(&owner)).await, vec![private.clone(), unlisted.clone(), public.clone()]);

    t.call(handler!(videos::get_video), get_req(&unlisted, None)).await.assert_status(200);
    t.call(handler!(videos::get_video), get_req(&unlisted, Some(&stranger))).await.assert_status(200);
    t.call(handler!(videos::get_video), get_req(&private, Some(&stranger))).await.assert_error(404, "005");
    t.call(handler!(videos::get_video), get_req(&private, None)).await.assert_error(404, "005");
    t.call(handler!(videos::get_video), get_req(&private, Some(&owner))).await.assert_status(200);
    let stream = Req::get("/").param("id", &private).bearer(&stranger).build();
    t.call(handler!(videos::stream_video), stream).await.assert_error(404, "005");
    // A stranger's failed stream counts no view.
    assert_eq!(t.db.get_video(&private).await.unwrap().unwrap().views, 0);
    // Ids that are not UUIDs, or that do not exist, are 404 as well.
    for id in ["../etc/passwd", "not-a-uuid", "0190c2a1-0000-7000-8000-000000000000"] {
        t.call(handler!(videos::get_video), get_req(id, None)).await.assert_error(404, "005");
    }
}

#[tokio::test]
async fn a_stranger_cannot_complete_or_delete_someone_elses_video() {
    let t = TestApp::new().await;
    let owner = register(&t, "victim", "password1").await;
    let stranger = register(&t, "mallory", "password1").await;
    let id = upload(&t, &owner, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    complete(&t, &stranger, &id).await.assert_error(403, "007");
    let delete = Req::delete("/").param("id", &id).bearer(&stranger).build();
    t.call(handler!(videos::delete_video), delete).await.assert_error(403, "007");
    t.call(handler!(videos::get_video), get_req(&id, None)).await.assert_status(200);

    let delete = Req::delete("/").param("id", &id).bearer(&owner).build();
    t.call(handler!(videos::delete_video), delete).await.assert_status(204);
    t.call(handler!(videos::get_video), get_req(&id, Some(&owner))).await.assert_error(404, "005");
    assert!(feed_ids(&t).await.is_empty());
    let again = Req::delete("/").param("id", &id).bearer(&owner).build();
    t.call(handler!(videos::delete_video), again).await.assert_error(404, "005");
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
    let redirect = t.call(handler!(videos::get_poster), get_poster()).await;
    assert_eq!(redirect.status.as_u16(), 302);
    let image = http_client().get(redirect.headers["location"].to_str().unwrap()).send().await.unwrap();
    assert_eq!(image.status().as_u16(), 200);
    assert_eq!(image.headers()["content-type"], "image/jpeg");
    assert_eq!(image.bytes().await.unwrap().as_ref(), jpeg.as_slice());
    let listed = t.call(handler!(videos::list_videos), Req::get("/videos").build()).await;
    assert_eq!(listed.assert_status(200)["videos"][0]["has_poster"], true);
}
