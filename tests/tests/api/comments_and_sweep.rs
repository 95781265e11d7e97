//! Paging, comments, ownership, concurrency, and the deletion sweep.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use vidlet::access::Access;
use vidlet::domain::now_epoch;
use vidlet::domain::page::PageRequest;
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::handlers::sweep::Sweep;
use vidlet::ports::*;
use vidlet::{ApiError, ApiResult};
use vidlet_tests::handler;
use vidlet_tests::{fixture, http_client, json, Req, TestApp};

use crate::accounts::register;
use crate::quota::used_bytes;
use crate::videos::{create, ids, put_parts, upload};

const LONG_ENOUGH: Duration = Duration::from_secs(60);

/// A clock for the sweep by which every URL handed out has expired.
fn later() -> i64 {
    now_epoch() + 3600
}

/// Seeds a ready video straight through the store (no S3 object).
pub async fn seed_ready_video(t: &TestApp, owner: &str, privacy: Privacy) -> String {
    let video = Video::example(owner, VideoStatus::Pending, privacy);
    let id = video.id.clone();
    t.db.create_video(&video, t.config.user_quota_bytes).await.unwrap();
    t.db.mark_ready(&video, &ReadyInfo::default()).await.unwrap().expect("was pending");
    id
}

/// Follows `next_cursor` through a list; returns the page sizes and all ids.
async fn walk(t: &TestApp, h: vidlet_tests::Handler, base: Req, field: &str) -> (Vec<usize>, Vec<String>) {
    let (mut sizes, mut all) = (Vec::new(), Vec::new());
    let mut cursor: Option<String> = None;
    loop {
        let mut req = base.clone();
        if let Some(c) = &cursor {
            req = req.query("cursor", c);
        }
        let res = t.call(h, req.build()).await;
        let body = res.assert_status(200);
        let page = ids(body, field);
        sizes.push(page.len());
        all.extend(page);
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (sizes, all),
        }
        assert!(sizes.len() < 10, "paging does not end");
    }
}

#[tokio::test]
async fn feed_and_user_lists_page_20_20_5_without_gaps_and_refuse_tampered_cursors() {
    let t = TestApp::new().await;
    let token = register(&t, "prolific", "password1").await;
    let mut seeded = Vec::new();
    for _ in 0..45 {
        seeded.push(seed_ready_video(&t, "prolific", Privacy::Public).await);
    }
    seeded.reverse(); // newest first
    let (sizes, all) =
        walk(&t, handler!(videos::list_videos), Req::get("/videos").query("limit", "20"), "videos").await;
    // DynamoDB may hand back an empty last page with a cursor; what matters is 20/20/5 and no gaps.
    assert_eq!(&sizes[..3], &[20, 20, 5], "{sizes:?}");
    assert_eq!(all, seeded, "newest first, no duplicates or gaps");

    let user_list = Req::get("/users/prolific/videos").param("username", "prolific").bearer(&token);
    let (sizes, all) = walk(&t, handler!(videos::list_user_videos), user_list, "videos").await;
    assert_eq!(&sizes[..3], &[20, 20, 5]);
    assert_eq!(all, seeded);

    // A tampered cursor, garbage, or a cursor from another list: 400.
    let first = t.call(handler!(videos::list_videos), Req::get("/videos").build()).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let user_page = Req::get("/").param("username", "prolific").bearer(&token).build();
    let user_cursor =
        t.call(handler!(videos::list_user_videos), user_page).await.body["next_cursor"].as_str().unwrap().to_owned();
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let tampered =
        engine.encode(String::from_utf8(engine.decode(&cursor).unwrap()).unwrap().replace("public", "private"));
    for bad in [format!("{cursor}x"), "!!!".to_owned(), tampered, user_cursor, engine.encode("{\"id\":\"../x\"}")] {
        let res = t.call(handler!(videos::list_videos), Req::get("/videos").query("cursor", &bad).build()).await;
        res.assert_error(400, "001");
    }
    for limit in ["0", "51", "100000000000", "-3", "ten"] {
        let res = t.call(handler!(videos::list_videos), Req::get("/videos").query("limit", limit).build()).await;
        res.assert_error(400, "001");
    }
}

pub fn comment_req(id: &str, token: &str, content: &str) -> lambda_http::Request {
    Req::post("/").param("id", id).bearer(token).json(json!({"content": content})).build()
}

#[tokio::test]
async fn comments_page_newest_first_and_respect_visibility() {
    let t = TestApp::new().await;
    let owner = register(&t, "host", "password1").await;
    let guest = register(&t, "guest", "password1").await;
    let id = seed_ready_video(&t, "host", Privacy::Public).await;
    let mut posted = Vec::new();
    for i in 0..45 {
        let res =
            t.call(handler!(comments::create_comment), comment_req(&id, &guest, &format!("  comment {i} 🎬 "))).await;
        let comment = &res.assert_status(201)["comment"];
        assert_eq!(comment["author"], "guest", "the author comes from the session");
        assert_eq!(comment["content"], format!("comment {i} 🎬"), "trimmed");
        posted.push(comment["id"].as_str().unwrap().to_owned());
    }
    posted.reverse();
    let list = Req::get("/").param("id", &id);
    let (sizes, all) = walk(&t, handler!(comments::list_comments), list, "comments").await;
    assert_eq!(&sizes[..3], &[20, 20, 5]);
    assert_eq!(all, posted);

    // Bad content, unknown and invisible videos.
    for bad in ["", "   ", &"x".repeat(2001)] {
        t.call(handler!(comments::create_comment), comment_req(&id, &guest, bad)).await.assert_error(400, "001");
    }
    let spoofed =
        Req::post("/").param("id", &id).bearer(&guest).json(json!({"content": "hi", "author": "host"})).build();
    t.call(handler!(comments::create_comment), spoofed).await.assert_error(400, "001");
    let private = seed_ready_video(&t, "host", Privacy::Private).await;
    t.call(handler!(comments::create_comment), comment_req(&private, &guest, "hi")).await.assert_error(404, "005");
    t.call(handler!(comments::create_comment), comment_req(&private, &owner, "mine")).await.assert_status(201);
    let list_private = Req::get("/").param("id", &private).bearer(&guest).build();
    t.call(handler!(comments::list_comments), list_private).await.assert_error(404, "005");
    let missing = uuid::Uuid::now_v7().to_string();
    t.call(handler!(comments::create_comment), comment_req(&missing, &guest, "hi")).await.assert_error(404, "005");
    let anonymous = Req::post("/").param("id", &id).json(json!({"content": "hi"})).build();
    t.call(handler!(comments::create_comment), anonymous).await.assert_error(401, "002");
}

#[tokio::test]
async fn comment_deletion_by_author_or_video_owner_only() {
    let t = TestApp::new().await;
    let owner = register(&t, "channel", "password1").await;
    let author = register(&t, "writer", "password1").await;
    let stranger = register(&t, "troll", "password1").await;
    let id = seed_ready_video(&t, "channel", Privacy::Public).await;
    let post = |token: String| {
        let t = &t;
        let id = id.clone();
        async move {
            let res = t.call(handler!(comments::create_comment), comment_req(&id, &token, "hello")).await;
            res.assert_status(201)["comment"]["id"].as_str().unwrap().to_owned()
        }
    };
    let delete = |comment_id: &str, token: &str| {
        Req::delete("/").param("id", &id).param("comment_id", comment_id).bearer(token).build()
    };
    let first = post(author.clone()).await;
    let second = post(author.clone()).await;
    t.call(handler!(comments::delete_comment), delete(&first, &stranger)).await.assert_error(403, "007");
    t.call(handler!(comments::delete_comment), delete(&first, &author)).await.assert_status(204);
    t.call(handler!(comments::delete_comment), delete(&second, &owner)).await.assert_status(204);
    t.call(handler!(comments::delete_comment), delete(&second, &owner)).await.assert_error(404, "005");
    t.call(handler!(comments::delete_comment), delete("../x", &owner)).await.assert_error(404, "005");
    let listed = t.call(handler!(comments::list_comments), Req::get("/").param("id", &id).build()).await;
    assert!(listed.assert_status(200)["comments"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn fifty_concurrent_comments_are_all_stored() {
    let t = Arc::new(TestApp::new().await);
    let token = register(&t, "crowd", "password1").await;
    let id = seed_ready_video(&t, "crowd", Privacy::Public).await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (t, token, id) = (t.clone(), token.clone(), id.clone());
            tokio::spawn(async move {
                let res = t.call(handler!(comments::create_comment), comment_req(&id, &token, &format!("c{i}"))).await;
                res.status.as_u16()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 201);
    }
    let page = t.db.list_comments(&id, &PageRequest { limit: 50, cursor: None }).await.unwrap();
    let contents: HashSet<String> = page.items.iter().map(|c| c.content.clone()).collect();
    assert_eq!(contents.len(), 50);
}

async fn object_exists(t: &TestApp, key: &str) -> bool {
    t.media().size_of(key).await.unwrap().is_some()
}

async fn comment_count(t: &TestApp, id: &str) -> usize {
    t.db.list_comments(id, &PageRequest { limit: 50, cursor: None }).await.unwrap().items.len()
}

#[tokio::test]
async fn delete_then_sweep_removes_objects_comments_and_record_and_nothing_else() {
    let t = TestApp::new().await;
    let token = register(&t, "sweeper", "password1").await;
    let doomed = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let kept = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    for id in [&doomed, &kept] {
        for i in 0..3 {
            t.call(handler!(comments::create_comment), comment_req(id, &token, &format!("c{i}")))
                .await
                .assert_status(201);
        }
    }
    let delete = Req::delete("/").param("id", &doomed).bearer(&token).build();
    t.call(handler!(videos::delete_video), delete).await.assert_status(204);
    // Comments of a deleted video cannot be read or added any more.
    t.call(handler!(comments::create_comment), comment_req(&doomed, &token, "late")).await.assert_error(404, "005");

    let summary = t.sweep().run_as_of(later(), LONG_ENOUGH).await.unwrap();
    assert_eq!(summary.records_processed, 1);
    assert_eq!(summary.comments_deleted, 3);
    assert!(summary.finished && summary.errors == 0);
    assert!(!object_exists(&t, &format!("videos/{doomed}")).await);
    assert_eq!(comment_count(&t, &doomed).await, 0);
    assert!(t.db.queued(10, None).await.unwrap().is_empty());
    // The other video is untouched.
    assert!(object_exists(&t, &format!("videos/{kept}")).await);
    assert_eq!(comment_count(&t, &kept).await, 3);
    assert!(t.db.get_video(&kept).await.unwrap().is_some());
    // A second sweep has nothing to do.
    let idle = t.sweep().run_as_of(later(), LONG_ENOUGH).await.unwrap();
    assert_eq!((idle.records_processed, idle.errors), (0, 0));
}

/// A comment purger that fails: a sweep "killed" after its S3 step.
struct CommentsDownForDeletes;

impl CommentPurger for CommentsDownForDeletes {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn comment_keys(&self, _video_id: &str, _limit: u32) -> ApiResult<CommentKeys> {
        Err(ApiError::unavailable("Query comments", "injected fault"))
    }
    async fn delete_comments(&self, _keys: &[CommentKey]) -> ApiResult<usize> {
        Err(ApiError::unavailable("BatchWriteItem comments", "injected fault"))
    }
}

#[tokio::test]
async fn a_sweep_interrupted_after_its_s3_step_completes_on_the_next_run() {
    let t = TestApp::new().await;
    let token = register(&t, "crashy", "password1").await;
    let id = upload(&t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    t.call(handler!(comments::create_comment), comment_req(&id, &token, "c")).await.assert_status(201);
    t.call(handler!(videos::delete_video), Req::delete("/").param("id", &id).bearer(&token).build())
        .await
        .assert_status(204);

    let Sweep { pending, queue, uploads, objects, accounts, config, .. } = t.sweep();
    let faulty = Sweep { pending, queue, uploads, objects, comments: CommentsDownForDeletes, accounts, config };
    let interrupted = faulty.run_as_of(later(), LONG_ENOUGH).await.unwrap();
    assert_eq!((interrupted.records_processed, interrupted.errors), (0, 1));
    assert!(!object_exists(&t, &format!("videos/{id}")).await, "the S3 step ran");
    assert_eq!(t.db.queued(10, None).await.unwrap().len(), 1, "the record survived");
    assert_eq!(comment_count(&t, &id).await, 1);

    let resumed = t.sweep().run_as_of(later(), LONG_ENOUGH).await.unwrap();
    assert_eq!((resumed.records_processed, resumed.comments_deleted, resumed.errors), (1, 1, 0));
    assert!(t.db.queued(10, None).await.unwrap().is_empty());
    assert_eq!(comment_count(&t, &id).await, 0);
}

#[tokio::test]
async fn the_sweep_expires_uploads_abandoned_after_their_window_aborts_them_and_gives_the_bytes_back() {
    let t = TestApp::new().await;
    let token = register(&t, "ghost", "password1").await;
    // An upload left half done: one part of two sent.
    let bytes = vec![7u8; 9 * 1024 * 1024];
    let created =
        create(&t, &token, json!({"name": "never finished", "content_type": "video/mp4", "size": bytes.len()})).await;
    assert_eq!(put_parts(&t, &token, &created, &bytes, &[1]).await, vec![200]);
    let abandoned = created["video"]["id"].as_str().unwrap().to_owned();
    let window_closes = t.db.get_video(&abandoned).await.unwrap().unwrap().upload_expires_at;
    // A pending video whose window is still open.
    let fresh = Video {
        id: uuid::Uuid::now_v7().to_string(),
        name: "still uploading".into(),
        size: 10,
        upload_expires_at: window_closes + 10 * 86400,
        ..Video::example("ghost", VideoStatus::Pending, Privacy::Public)
    };
    t.db.create_video(&fresh, t.config.user_quota_bytes).await.unwrap();
    assert_eq!(used_bytes(&t, &token).await, bytes.len() as u64 + 10);

    // Within the window and its hour of grace, nothing happens.
    let early = t.sweep().run_as_of(window_closes + 3000, LONG_ENOUGH).await.unwrap();
    assert_eq!((early.uploads_expired, early.records_processed, early.records_not_due), (0, 0, 0));
    assert!(t.db.get_video(&abandoned).await.unwrap().is_some());

    let expiry = window_closes + 3601;
    let summary = t.sweep().run_as_of(expiry, LONG_ENOUGH).await.unwrap();
    assert_eq!((summary.uploads_expired, summary.records_not_due, summary.errors), (1, 1, 0));
    assert!(t.db.get_video(&abandoned).await.unwrap().is_none());
    assert!(t.db.get_video(&fresh.id).await.unwrap().is_some());
    assert_eq!(used_bytes(&t, &token).await, 10, "expiry gives the bytes back");
    // Once its URLs have expired, the record is processed and the upload aborted.
    let later = expiry + t.config.upload_url_ttl_secs as i64;
    let swept = t.sweep().run_as_of(later, LONG_ENOUGH).await.unwrap();
    assert_eq!((swept.records_processed, swept.uploads_aborted, swept.errors), (1, 1, 0));
    let uploads =
        t.s3.list_multipart_uploads()
            .bucket(&t.config.bucket)
            .prefix(format!("videos/{abandoned}"))
            .send()
            .await
            .unwrap();
    assert!(uploads.uploads().is_empty(), "{:?}", uploads.uploads());
    assert!(t.db.queued(10, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn deleting_an_account_queues_its_videos_and_removes_its_sessions() {
    let t = TestApp::new().await;
    let token = register(&t, "leaver", "password1").await;
    let other_session = {
        let login = Req::post("/sessions").json(json!({"username": "leaver", "password": "password1"})).build();
        t.call(handler!(accounts::login), login).await.body["session_id"].as_str().unwrap().to_owned()
    };
    let id = upload(&t, &token, "clip.mp4", "video/mp4", "private").await["id"].as_str().unwrap().to_owned();
    let bystander = register(&t, "bystander", "password1").await;
    let delete = |who: &str, token: &str, body: serde_json::Value| {
        Req::delete("/").param("username", who).bearer(token).json(body).build()
    };
    t.call(handler!(accounts::delete_user), delete("leaver", &bystander, json!({"password": "password1"})))
        .await
        .assert_error(403, "007");
    t.call(handler!(accounts::delete_user), delete("leaver", &token, json!({"password": "wrong-one"})))
        .await
        .assert_error(401, "002");
    t.call(handler!(accounts::delete_user), delete("leaver", &token, json!({"password": "password1"})))
        .await
        .assert_status(204);

    for session in [&token, &other_session] {
        t.call(handler!(accounts::me), Req::get("/me").bearer(session).build()).await.assert_error(401, "002");
    }
    let profile = Req::get("/").param("username", "leaver").build();
    t.call(handler!(accounts::get_user), profile).await.assert_error(404, "005");
    assert!(t.db.get_video(&id).await.unwrap().is_none());
    let summary = t.sweep().run_as_of(later(), LONG_ENOUGH).await.unwrap();
    assert_eq!(summary.records_processed, 1);
    assert!(!object_exists(&t, &format!("videos/{id}")).await);
    // The name is free again.
    register(&t, "leaver", "password2").await;
    let _ = (fixture, http_client);
}
