//! Likes: `PUT`/`DELETE /videos/{id}/like` are idempotent, keep the video's
//! `likes` exact under concurrency, and only work on a video the caller may
//! see; `GET /videos/{id}` shows `likes` and, signed in, `liked_by_me`.

use std::sync::Arc;

use serde_json::Value;
use tokio::task::JoinSet;
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::ports::{VideoCreator, VideoReader};
use vidlet_tests::{handler, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::comments_and_sweep::seed_ready_video;

async fn like(t: &TestApp, id: &str, token: &str) -> TestResponse {
    t.call(handler!(videos::like_video), Req::new("PUT", "/").param("id", id).bearer(token).build()).await
}

async fn unlike(t: &TestApp, id: &str, token: &str) -> TestResponse {
    t.call(handler!(videos::unlike_video), Req::delete("/").param("id", id).bearer(token).build()).await
}

/// The stored count, read consistently.
async fn likes(t: &TestApp, id: &str) -> u64 {
    t.db.get_video(id).await.unwrap().expect("the video exists").likes
}

async fn get_video(t: &TestApp, id: &str, token: Option<&str>) -> Value {
    let req = Req::get("/").param("id", id);
    let res = t.call(handler!(videos::get_video), token.map_or(req.clone(), |tk| req.bearer(tk)).build()).await;
    res.assert_status(200);
    res.body
}

#[tokio::test]
async fn like_and_unlike_are_idempotent_and_shown_on_the_video_and_in_the_feed() {
    let t = TestApp::new().await;
    register(&t, "alice", "password1").await;
    let (bob, carol) = (register(&t, "bob", "password1").await, register(&t, "carol", "password1").await);
    let id = seed_ready_video(&t, "alice", Privacy::Public).await;
    assert_eq!(get_video(&t, &id, Some(&bob)).await["likes"], 0);
    for _ in 0..3 {
        like(&t, &id, &bob).await.assert_status(204);
        assert_eq!(likes(&t, &id).await, 1, "liking again changes nothing");
    }
    like(&t, &id, &carol).await.assert_status(204);
    assert_eq!(likes(&t, &id).await, 2);
    unlike(&t, &id, &carol).await.assert_status(204);
    let shown = get_video(&t, &id, Some(&bob)).await;
    assert_eq!((shown["likes"].as_u64(), shown["liked_by_me"].as_bool()), (Some(1), Some(true)));
    let shown = get_video(&t, &id, Some(&carol)).await;
    assert_eq!((shown["likes"].as_u64(), shown["liked_by_me"].as_bool()), (Some(1), Some(false)));
    let anonymous = get_video(&t, &id, None).await;
    assert_eq!(anonymous["likes"], 1);
    assert!(anonymous.get("liked_by_me").is_none(), "anonymous callers get no liked_by_me: {anonymous}");
    let feed = t.call(handler!(videos::list_videos), Req::get("/videos").build()).await;
    assert_eq!(feed.body["videos"][0]["likes"], 1);
    for _ in 0..3 {
        unlike(&t, &id, &bob).await.assert_status(204);
        assert_eq!(likes(&t, &id).await, 0, "unliking again changes nothing");
    }
    assert_eq!(get_video(&t, &id, Some(&bob)).await["liked_by_me"], false);
}

#[tokio::test]
async fn concurrent_likes_and_unlikes_keep_the_count_exact() {
    let t = Arc::new(TestApp::new().await);
    register(&t, "owner", "password1").await;
    let id = seed_ready_video(&t, "owner", Privacy::Public).await;
    let mut signing_up = JoinSet::new();
    for i in 0..20 {
        let t = t.clone();
        signing_up.spawn(async move { register(&t, &format!("fan{i}"), "password1").await });
    }
    let fans: Vec<String> = signing_up.join_all().await;
    // Each of 20 users likes twice at once; then half of them unlike twice
    // while the other half like again, all at once.
    let mut racing = JoinSet::new();
    for token in fans.iter().chain(&fans) {
        let (t, id, token) = (t.clone(), id.clone(), token.clone());
        racing.spawn(async move { like(&t, &id, &token).await.status.as_u16() });
    }
    assert!(racing.join_all().await.iter().all(|&s| s == 204));
    assert_eq!(likes(&t, &id).await, 20);
    let mut racing = JoinSet::new();
    for (i, token) in fans.iter().chain(&fans).cloned().enumerate() {
        let (t, id) = (t.clone(), id.clone());
        racing.spawn(async move {
            let res = if i % 2 == 0 { unlike(&t, &id, &token).await } else { like(&t, &id, &token).await };
            res.status.as_u16()
        });
    }
    assert!(racing.join_all().await.iter().all(|&s| s == 204));
    assert_eq!(likes(&t, &id).await, 10);
    let items = t.dynamodb.scan().table_name(t.config.table_name(vidlet::config::Table::Likes)).send().await;
    assert_eq!(items.unwrap().count(), 10, "one like item per counted like");
}

#[tokio::test]
async fn a_video_the_caller_may_not_see_cannot_be_liked_or_unliked() {
    let t = TestApp::new().await;
    let alice = register(&t, "alice", "password1").await;
    let bob = register(&t, "bob", "password1").await;
    let private = seed_ready_video(&t, "alice", Privacy::Private).await;
    let pending = Video::example("alice", VideoStatus::Pending, Privacy::Public);
    t.db.create_video(&pending, t.config.user_quota_bytes).await.unwrap();
    let missing = uuid::Uuid::now_v7().to_string();
    for id in [&private, &pending.id, &missing] {
        like(&t, id, &bob).await.assert_error(404, "005");
        unlike(&t, id, &bob).await.assert_error(404, "005");
    }
    assert_eq!((likes(&t, &private).await, likes(&t, &pending.id).await), (0, 0));
    // The owner may like their own hidden video; signed out, nobody may.
    like(&t, &private, &alice).await.assert_status(204);
    assert_eq!(likes(&t, &private).await, 1);
    let anonymous = t.call(handler!(videos::like_video), Req::new("PUT", "/").param("id", &private).build()).await;
    anonymous.assert_error(401, "002");
    // Made-up ids are 404 before any storage call.
    like(&t, "not-a-uuid", &bob).await.assert_error(404, "005");
}
