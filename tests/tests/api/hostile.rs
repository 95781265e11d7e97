//! Bad and hostile input, one case per test. Each gets its 4xx in the error
//! model and leaves no partial state.

use std::sync::Arc;
use std::time::Duration;
use vidlet::ports::*;

use vidlet::config::Config;
use vidlet::domain::account::hash_token;
use vidlet_tests::{fixture, handler, http_client, json, Req, TestApp};

use crate::accounts::register;
use crate::videos::{complete, create, get_upload, part_urls, put_all_parts, put_upload, upload};

fn register_raw(body: Vec<u8>) -> lambda_http::Request {
    Req::post("/users").raw_body(body).build()
}

async fn no_user_named(t: &TestApp, name: &str) {
    let username = vidlet::domain::account::Username::parse(name);
    if let Ok(username) = username {
        assert!(t.db.get_user(&username).await.unwrap().is_none(), "{name} must not exist");
    }
}

// ---- Oversized and malformed data ------------------------------------------

#[tokio::test]
async fn oversized_a_json_body_of_10_mb() {
    let t = TestApp::new().await;
    let body = format!(r#"{{"username":"bigbody","password":"{}"}}"#, "x".repeat(10 * 1024 * 1024));
    t.call(handler!(accounts::register), register_raw(body.into_bytes())).await.assert_error(413, "008");
    no_user_named(&t, "bigbody").await;
}

#[tokio::test]
async fn malformed_deep_nesting() {
    let t = TestApp::new().await;
    let body = format!(r#"{{"username":{}1{},"password":"password1"}}"#, "[".repeat(5000), "]".repeat(5000));
    t.call(handler!(accounts::register), register_raw(body.into_bytes())).await.assert_error(400, "001");
}

#[tokio::test]
async fn malformed_invalid_utf8() {
    let t = TestApp::new().await;
    let mut body = br#"{"username":"utf"#.to_vec();
    body.extend([0xff, 0xfe, 0x80]);
    body.extend(br#"","password":"password1"}"#);
    t.call(handler!(accounts::register), register_raw(body)).await.assert_error(400, "001");
}

#[tokio::test]
async fn malformed_a_nul_in_a_username() {
    let t = TestApp::new().await;
    let body = json!({"username": "nul\u{0}user", "password": "password1"});
    t.call(handler!(accounts::register), Req::post("/users").json(body).build()).await.assert_error(400, "001");
    no_user_named(&t, "nuluser").await;
}

#[tokio::test]
async fn emoji_and_rtl_override_in_names_and_comments_are_kept_as_text() {
    let t = TestApp::new().await;
    let body = json!({"username": "emoji🎬", "password": "password1"});
    t.call(handler!(accounts::register), Req::post("/users").json(body).build()).await.assert_error(400, "001");
    let token = register(&t, "unicode", "password1").await;
    let name = "clip 🎬 \u{202e}gpj.exe";
    let created = create(&t, &token, json!({"name": name, "content_type": "video/mp4", "size": 10})).await;
    assert_eq!(created["video"]["name"], name);
    let id = created["video"]["id"].as_str().unwrap();
    let comment = Req::post("/").param("id", id).bearer(&token).json(json!({"content": "👍 \u{202e}olleh"})).build();
    let res = t.call(handler!(comments::create_comment), comment).await;
    assert_eq!(res.assert_status(201)["comment"]["content"], "👍 \u{202e}olleh");
}

#[tokio::test]
async fn oversized_a_huge_limit() {
    let t = TestApp::new().await;
    let res =
        t.call(handler!(videos::list_videos), Req::get("/videos").query("limit", "18446744073709551616").build()).await;
    res.assert_error(400, "001");
}

#[tokio::test]
async fn malformed_a_negative_size() {
    let t = TestApp::new().await;
    let token = register(&t, "negative", "password1").await;
    let body = json!({"name": "n", "content_type": "video/mp4", "size": -5});
    t.call(handler!(videos::create_video), Req::post("/videos").bearer(&token).json(body).build())
        .await
        .assert_error(400, "001");
}

#[tokio::test]
async fn oversized_a_size_of_2_pow_63() {
    let t = TestApp::new().await;
    let token = register(&t, "hugesize", "password1").await;
    let body = json!({"name": "n", "content_type": "video/mp4", "size": 1u64 << 63});
    t.call(handler!(videos::create_video), Req::post("/videos").bearer(&token).json(body).build())
        .await
        .assert_error(413, "008");
    let mine = t.db.list_by_owner("hugesize", true, &Default::default()).await;
    assert!(mine.map(|p| p.items.is_empty()).unwrap_or(true));
}

// ---- Crafted identifiers -----------------------------------------------------

#[tokio::test]
async fn crafted_a_cursor_from_another_list() {
    let t = TestApp::new().await;
    let token = register(&t, "lister", "password1").await;
    let video = upload(&t, &token, "clip.mp4", "video/mp4", "public").await;
    let id = video["id"].as_str().unwrap();
    for i in 0..3 {
        let req = Req::post("/").param("id", id).bearer(&token).json(json!({"content": format!("c{i}")})).build();
        t.call(handler!(comments::create_comment), req).await.assert_status(201);
    }
    let page = Req::get("/").param("id", id).query("limit", "1").build();
    let comment_cursor =
        t.call(handler!(comments::list_comments), page).await.body["next_cursor"].as_str().unwrap().to_owned();
    let feed = Req::get("/videos").query("cursor", &comment_cursor).build();
    t.call(handler!(videos::list_videos), feed).await.assert_error(400, "001");
    // A comment cursor of another video is refused too.
    let other = upload(&t, &token, "clip.mp4", "video/mp4", "public").await;
    let other_id = other["id"].as_str().unwrap();
    let req = Req::get("/").param("id", other_id).query("cursor", &comment_cursor).build();
    t.call(handler!(comments::list_comments), req).await.assert_error(400, "001");
}

#[tokio::test]
async fn crafted_an_expired_session() {
    let t = TestApp::with_config(Config { session_ttl_secs: 0, ..Config::default() }).await;
    let token = register(&t, "expired", "password1").await;
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_error(401, "002");
    let body = json!({"name": "n", "content_type": "video/mp4", "size": 10});
    t.call(handler!(videos::create_video), Req::post("/videos").bearer(&token).json(body).build())
        .await
        .assert_error(401, "002");
}

#[tokio::test]
async fn crafted_a_session_of_a_deleted_user() {
    let t = TestApp::new().await;
    let token = register(&t, "deleted", "password1").await;
    let delete =
        Req::delete("/").param("username", "deleted").bearer(&token).json(json!({"password": "password1"})).build();
    t.call(handler!(accounts::delete_user), delete).await.assert_status(204);
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_error(401, "002");
    // Its sessions stop working at once; the sweep's purge deletes them later.
    t.call(handler!(videos::list_user_videos), Req::get("/").param("username", "deleted").bearer(&token).build())
        .await
        .assert_error(401, "002");
}

#[tokio::test]
async fn crafted_path_traversal_in_ids() {
    let t = TestApp::new().await;
    let token = register(&t, "traveler", "password1").await;
    for id in ["../videos/x", "..%2F..%2Fetc", "0190c2a1-0000-7000-8000-000000000000/../x"] {
        t.call(handler!(videos::get_video), Req::get("/").param("id", id).build()).await.assert_error(404, "005");
        complete(&t, &token, id).await.assert_error(404, "005");
        let poster = Req::post("/")
            .param("id", id)
            .bearer(&token)
            .json(json!({"content_type": "image/jpeg", "size": 10}))
            .build();
        t.call(handler!(videos::create_poster), poster).await.assert_error(404, "005");
    }
    let user = Req::get("/").param("username", "../users").build();
    t.call(handler!(videos::list_user_videos), user).await.assert_error(404, "005");
}

#[tokio::test]
async fn crafted_an_id_that_is_not_a_uuid() {
    let t = TestApp::new().await;
    let token = register(&t, "notuuid", "password1").await;
    for id in ["1", "abc", "0190c2a1000070008000000000000000zz"] {
        t.call(handler!(videos::stream_video), Req::get("/").param("id", id).build()).await.assert_error(404, "005");
        let delete = Req::delete("/").param("id", id).bearer(&token).build();
        t.call(handler!(videos::delete_video), delete).await.assert_error(404, "005");
    }
}

// ---- Replays and races ---------------------------------------------------------

#[tokio::test]
async fn replay_a_part_url_after_expiry() {
    let t = TestApp::with_config(Config { upload_url_ttl_secs: 1, ..Config::default() }).await;
    let token = register(&t, "replayer", "password1").await;
    let bytes = fixture("clip.mp4");
    let created = create(&t, &token, json!({"name": "late", "content_type": "video/mp4", "size": bytes.len()})).await;
    let id = created["video"]["id"].as_str().unwrap();
    let part = part_urls(&t, &token, id, &[1]).await.remove(0);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(put_upload(&part, bytes.clone()).await, 403, "an expired part URL is refused by S3");
    // The part is missing; the upload is still pending and resumes with a fresh URL.
    let res = complete(&t, &token, id).await;
    res.assert_error(422, "010");
    assert_eq!(res.body["error"], "parts missing: 1");
    assert_eq!(put_all_parts(&t, &token, &created, &bytes).await, vec![200]);
    complete(&t, &token, id).await.assert_status(200);
}

#[tokio::test]
async fn replay_a_part_url_edited_to_another_key_or_part() {
    let t = TestApp::with_config(Config { min_part_bytes: 5 * 1024 * 1024, ..Config::default() }).await;
    let token = register(&t, "keyswap", "password1").await;
    let victim = upload(&t, &token, "clip.mp4", "video/mp4", "public").await;
    let victim_id = victim["id"].as_str().unwrap();
    // A pending upload of someone else's, whose key and upload id an attacker may learn.
    let other = register(&t, "bystander", "password1").await;
    let pending = create(&t, &other, json!({"name": "b", "content_type": "video/mp4", "size": 11 << 20})).await;
    let pending_id = pending["video"]["id"].as_str().unwrap();
    let pending_upload = t.db.get_video(pending_id).await.unwrap().unwrap().upload_id.unwrap();

    let bytes = fixture("not-a-video.mp4");
    let created = create(&t, &token, json!({"name": "mine", "content_type": "video/mp4", "size": bytes.len()})).await;
    let own_id = created["video"]["id"].as_str().unwrap();
    let own_upload = t.db.get_video(own_id).await.unwrap().unwrap().upload_id.unwrap();
    let part = part_urls(&t, &token, own_id, &[1]).await.remove(0);
    let url = part["url"].as_str().unwrap().to_owned();
    let edits = [
        ("another key", url.replace(own_id, victim_id)),
        ("another upload", url.replace(own_id, pending_id).replace(&own_upload, &pending_upload)),
        ("another part number", url.replace("partNumber=1", "partNumber=2")),
    ];
    for (what, edited) in edits {
        assert_ne!(edited, url, "{what}: the edit changed nothing");
        let mut forged = part.clone();
        forged["url"] = json!(edited);
        assert_eq!(put_upload(&forged, bytes.clone()).await, 403, "a URL signed for one part cannot write {what}");
    }
    assert_eq!(
        t.media().size_of(&format!("videos/{victim_id}")).await.unwrap(),
        Some(fixture("clip.mp4").len() as u64)
    );
    assert!(get_upload(&t, &other, pending_id).await.assert_status(200)["parts"].as_array().unwrap().is_empty());
    assert!(get_upload(&t, &token, own_id).await.assert_status(200)["parts"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn race_a_complete_on_someone_elses_video() {
    let t = TestApp::new().await;
    let owner = register(&t, "realowner", "password1").await;
    let thief = register(&t, "thief", "password1").await;
    let bytes = fixture("clip.mp4");
    let created = create(&t, &owner, json!({"name": "x", "content_type": "video/mp4", "size": bytes.len()})).await;
    let id = created["video"]["id"].as_str().unwrap();
    // Pending and not visible to the thief: indistinguishable from missing.
    complete(&t, &thief, id).await.assert_error(404, "005");
    assert_eq!(put_all_parts(&t, &owner, &created, &bytes).await, vec![200]);
    complete(&t, &owner, id).await.assert_status(200);
    complete(&t, &thief, id).await.assert_error(403, "007");
}

#[tokio::test]
async fn race_two_concurrent_completes() {
    let t = Arc::new(TestApp::new().await);
    let token = register(&t, "twice", "password1").await;
    let bytes = fixture("clip.mp4");
    let created = create(&t, &token, json!({"name": "x", "content_type": "video/mp4", "size": bytes.len()})).await;
    assert_eq!(put_all_parts(&t, &token, &created, &bytes).await, vec![200]);
    let id = created["video"]["id"].as_str().unwrap().to_owned();
    let calls: Vec<_> = (0..2)
        .map(|_| {
            let (t, token, id) = (t.clone(), token.clone(), id.clone());
            tokio::spawn(async move { complete(&t, &token, &id).await })
        })
        .collect();
    let mut answers = Vec::new();
    for call in calls {
        let res = call.await.unwrap();
        answers.push((res.status.as_u16(), res.body));
    }
    // Whatever the interleaving, both answer with the one ready video, whose object is the upload.
    let object = t.media().size_of(&format!("videos/{id}")).await.unwrap();
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses, [200, 200], "answers {answers:?}; the object has {object:?} bytes");
    assert_eq!(answers[0].1["video"]["status"], "ready");
    assert_eq!(answers[0].1["video"], answers[1].1["video"]);
    assert_eq!(object, Some(fixture("clip.mp4").len() as u64));
}

#[tokio::test]
async fn race_a_delete_concurrent_with_a_comment() {
    let t = Arc::new(TestApp::new().await);
    let token = register(&t, "racer", "password1").await;
    let id = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let comment = {
        let (t, token, id) = (t.clone(), token.clone(), id.clone());
        tokio::spawn(async move {
            let req = Req::post("/").param("id", &id).bearer(&token).json(json!({"content": "first!"})).build();
            t.call(handler!(comments::create_comment), req).await.status.as_u16()
        })
    };
    let delete = {
        let (t, token, id) = (t.clone(), token.clone(), id.clone());
        tokio::spawn(async move {
            t.call(handler!(videos::delete_video), Req::delete("/").param("id", &id).bearer(&token).build())
                .await
                .status
                .as_u16()
        })
    };
    let (comment_status, delete_status) = (comment.await.unwrap(), delete.await.unwrap());
    assert_eq!(delete_status, 204);
    assert!(comment_status == 201 || comment_status == 404, "comment got {comment_status}");
    // Whatever the order, the sweep leaves no orphaned comment.
    t.sweep().run_as_of(vidlet::domain::now_epoch() + 3600, Duration::from_secs(60)).await.unwrap();
    let left = t.db.list_comments(&id, &Default::default()).await.unwrap();
    assert!(left.items.is_empty(), "orphaned comments: {:?}", left.items);
}

// ---- Headers ---------------------------------------------------------------------

#[tokio::test]
async fn headers_x_user_name_smuggling() {
    let t = TestApp::new().await;
    let token = register(&t, "honest", "password1").await;
    register(&t, "admin", "password1").await;
    let body = json!({"name": "n", "content_type": "video/mp4", "size": 10});
    let req = Req::post("/videos").bearer(&token).header("x-user-name", "admin").json(body).build();
    let res = t.call(handler!(videos::create_video), req).await;
    assert_eq!(res.assert_status(201)["video"]["owner"], "honest");
    let anonymous = Req::get("/me").header("x-user-name", "admin").build();
    t.call(handler!(accounts::me), anonymous).await.assert_error(401, "002");
}

#[tokio::test]
async fn headers_x_session_id_smuggling() {
    let t = TestApp::new().await;
    let alice = register(&t, "alice", "password1").await;
    let bob = register(&t, "bob", "password1").await;
    // The Authorization header wins over a smuggled X-Session-Id...
    let both = Req::get("/me").bearer(&alice).header("x-session-id", &bob).build();
    assert_eq!(t.call(handler!(accounts::me), both).await.assert_status(200)["username"], "alice");
    // ...and a malformed Authorization is not silently replaced by it.
    let basic = Req::get("/me").header("authorization", "Basic YWxpY2U6eA==").header("x-session-id", &bob).build();
    t.call(handler!(accounts::me), basic).await.assert_error(401, "002");
    // A session hash instead of the session id grants nothing.
    let hashed = Req::get("/me").header("x-session-id", &hash_token(&bob)).build();
    t.call(handler!(accounts::me), hashed).await.assert_error(401, "002");
}

// ---- Markup ------------------------------------------------------------------------

#[tokio::test]
async fn markup_in_comments_and_names_is_stored_and_returned_verbatim() {
    let t = TestApp::new().await;
    let token = register(&t, "marker", "password1").await;
    let script = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let created = create(&t, &token, json!({"name": script, "content_type": "video/mp4", "size": 10})).await;
    assert_eq!(created["video"]["name"], script);
    let id = created["video"]["id"].as_str().unwrap();
    let req = Req::post("/").param("id", id).bearer(&token).json(json!({"content": script})).build();
    let res = t.call(handler!(comments::create_comment), req).await;
    assert_eq!(res.assert_status(201)["comment"]["content"], script);
    assert_eq!(res.headers["content-type"], "application/json", "never served as HTML");
    let _ = http_client;
}

#[tokio::test]
async fn crafted_a_strangers_write_to_a_private_video_does_not_reveal_it() {
    let t = TestApp::new().await;
    let owner = register(&t, "secretive", "password1").await;
    let stranger = register(&t, "prober", "password1").await;
    let id = upload(&t, &owner, "clip.mp4", "video/mp4", "private").await["id"].as_str().unwrap().to_owned();
    // Every route answers as if the video did not exist: no 403 that would confirm it.
    let delete = Req::delete("/").param("id", &id).bearer(&stranger).build();
    t.call(handler!(videos::delete_video), delete).await.assert_error(404, "005");
    let poster = Req::post("/")
        .param("id", &id)
        .bearer(&stranger)
        .json(json!({"content_type": "image/png", "size": 10}))
        .build();
    t.call(handler!(videos::create_poster), poster).await.assert_error(404, "005");
    complete(&t, &stranger, &id).await.assert_error(404, "005");
    assert!(t.db.get_video(&id).await.unwrap().is_some());
}

#[tokio::test]
async fn headers_credentials_that_are_not_a_session_are_refused_not_ignored() {
    let t = TestApp::new().await;
    let token = register(&t, "viewer", "password1").await;
    let id = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    for (name, value) in
        [("authorization", "Basic Zm9vOmJhcg=="), ("authorization", "Bearer garbage"), ("x-session-id", "garbage")]
    {
        let req = Req::get("/").param("id", &id).header(name, value).build();
        t.call(handler!(videos::get_video), req).await.assert_error(401, "002");
    }
    t.call(handler!(videos::get_video), Req::get("/").param("id", &id).build()).await.assert_status(200);
}
