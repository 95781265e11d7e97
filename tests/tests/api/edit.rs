//! PATCH /videos/{id}: the owner edits name, description and privacy, and the
//! feed and the owner's public list follow in the same write.

use serde_json::Value;
use vidlet::domain::now_epoch;
use vidlet::domain::video::{DeletionRecord, Privacy, Video, VideoStatus};
use vidlet::ports::*;
use vidlet_tests::{handler, json, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::comments_and_sweep::seed_ready_video;
use crate::videos::ids;

async fn edit(t: &TestApp, token: &str, id: &str, body: Value) -> TestResponse {
    let req = Req::new("PATCH", &format!("/videos/{id}")).param("id", id).bearer(token).json(body);
    t.call(handler!(videos::update_video), req.build()).await
}

async fn get(t: &TestApp, id: &str, token: Option<&str>) -> TestResponse {
    let req = Req::get(&format!("/videos/{id}")).param("id", id);
    t.call(handler!(videos::get_video), token.map_or(req.clone(), |tok| req.bearer(tok)).build()).await
}

async fn feed(t: &TestApp) -> Vec<String> {
    ids(t.call(handler!(videos::list_videos), Req::get("/videos").build()).await.assert_status(200), "videos")
}

/// The owner's list as a stranger sees it (the public_by_owner index).
async fn public_list(t: &TestApp, owner: &str) -> Vec<String> {
    let req = Req::get(&format!("/users/{owner}/videos")).param("username", owner).build();
    ids(t.call(handler!(videos::list_user_videos), req).await.assert_status(200), "videos")
}

async fn seed_pending(t: &TestApp, owner: &str, privacy: Privacy) -> Video {
    let video = Video::example(owner, VideoStatus::Pending, privacy);
    t.db.create_video(&video, t.config.user_quota_bytes).await.unwrap();
    video
}

#[tokio::test]
async fn the_owner_edits_name_and_description_and_get_shows_them() {
    let t = TestApp::new().await;
    let owner = register(&t, "editor", "password1").await;
    let id = seed_ready_video(&t, "editor", Privacy::Public).await;
    let res = edit(&t, &owner, &id, json!({"name": "  Fixed title ", "description": "Now with words"})).await;
    let body = res.assert_status(200);
    assert_eq!((body["name"].as_str(), body["description"].as_str()), (Some("Fixed title"), Some("Now with words")));
    assert_eq!(body["privacy"], "public");
    assert_eq!(body["id"], id.as_str());
    let shown = get(&t, &id, None).await;
    let shown = shown.assert_status(200);
    assert_eq!((shown["name"].as_str(), shown["description"].as_str()), (Some("Fixed title"), Some("Now with words")));
    // Only what was given changes; the listing stays.
    let body = edit(&t, &owner, &id, json!({"description": ""})).await.assert_status(200).clone();
    assert_eq!((body["name"].as_str(), body["description"].as_str()), (Some("Fixed title"), Some("")));
    assert_eq!(feed(&t).await, vec![id.clone()]);
}

#[tokio::test]
async fn privacy_changes_move_the_video_in_and_out_of_every_public_list_at_once() {
    let t = TestApp::new().await;
    let owner = register(&t, "mover", "password1").await;
    let stranger = register(&t, "onlooker", "password1").await;
    let id = seed_ready_video(&t, "mover", Privacy::Public).await;
    assert_eq!((feed(&t).await, public_list(&t, "mover").await), (vec![id.clone()], vec![id.clone()]));

    edit(&t, &owner, &id, json!({"privacy": "private"})).await.assert_status(200);
    assert!(feed(&t).await.is_empty());
    assert!(public_list(&t, "mover").await.is_empty());
    get(&t, &id, Some(&stranger)).await.assert_error(404, "005");
    get(&t, &id, None).await.assert_error(404, "005");
    get(&t, &id, Some(&owner)).await.assert_status(200);

    let body = edit(&t, &owner, &id, json!({"privacy": "public"})).await.assert_status(200).clone();
    assert_eq!(body["privacy"], "public");
    assert_eq!((feed(&t).await, public_list(&t, "mover").await), (vec![id.clone()], vec![id.clone()]));

    // Unlisted: watchable by link, listed nowhere public.
    edit(&t, &owner, &id, json!({"privacy": "unlisted"})).await.assert_status(200);
    assert!(feed(&t).await.is_empty());
    assert!(public_list(&t, "mover").await.is_empty());
    get(&t, &id, Some(&stranger)).await.assert_status(200);
    let mine = Req::get("/").param("username", "mover").bearer(&owner).build();
    let mine = t.call(handler!(videos::list_user_videos), mine).await;
    assert_eq!(ids(mine.assert_status(200), "videos"), vec![id.clone()]);
}

#[tokio::test]
async fn a_pending_video_made_public_stays_out_of_the_feed_until_ready() {
    let t = TestApp::new().await;
    let owner = register(&t, "patient", "password1").await;
    let read_before = seed_pending(&t, "patient", Privacy::Private).await;
    let id = read_before.id.clone();
    let body = edit(&t, &owner, &id, json!({"privacy": "public", "name": "soon"})).await.assert_status(200).clone();
    assert_eq!((body["status"].as_str(), body["privacy"].as_str()), (Some("pending"), Some("public")));
    assert!(feed(&t).await.is_empty());
    assert!(public_list(&t, "patient").await.is_empty());

    // A completion that read the old privacy cannot list by it: it must read again.
    assert!(t.db.mark_ready(&read_before, &Default::default()).await.unwrap().is_none());
    let now = t.db.get_video(&id).await.unwrap().unwrap();
    t.db.mark_ready(&now, &Default::default()).await.unwrap().expect("still pending");
    assert_eq!((feed(&t).await, public_list(&t, "patient").await), (vec![id.clone()], vec![id.clone()]));
}

#[tokio::test]
async fn a_stranger_gets_403_on_a_video_it_sees_and_404_on_one_it_does_not() {
    let t = TestApp::new().await;
    let owner = register(&t, "guarded", "password1").await;
    let stranger = register(&t, "meddler", "password1").await;
    let public = seed_ready_video(&t, "guarded", Privacy::Public).await;
    let private = seed_ready_video(&t, "guarded", Privacy::Private).await;
    let pending = seed_pending(&t, "guarded", Privacy::Public).await.id;
    for body in [json!({"name": "mine now"}), json!({"privacy": "private"})] {
        edit(&t, &stranger, &public, body.clone()).await.assert_error(403, "007");
        edit(&t, &stranger, &private, body.clone()).await.assert_error(404, "005");
        edit(&t, &stranger, &pending, body.clone()).await.assert_error(404, "005");
        let missing = "0190c2a1-0000-7000-8000-000000000000";
        edit(&t, &stranger, missing, body.clone()).await.assert_error(404, "005");
        edit(&t, &stranger, "not-a-uuid", body).await.assert_error(404, "005");
    }
    let req = Req::new("PATCH", "/").param("id", &public).json(json!({"name": "anon"})).build();
    t.call(handler!(videos::update_video), req).await.assert_error(401, "002");
    let shown = get(&t, &public, Some(&owner)).await;
    assert_eq!(shown.assert_status(200)["name"], "example");
    assert_eq!(feed(&t).await, vec![public]);
}

#[tokio::test]
async fn a_rejected_video_cannot_be_edited() {
    let t = TestApp::new().await;
    let owner = register(&t, "unlucky", "password1").await;
    let video = seed_pending(&t, "unlucky", Privacy::Private).await;
    let record = DeletionRecord::for_video(&video.id, "rejected", now_epoch(), 0);
    assert!(t.db.reject_video(&video, &record).await.unwrap());
    edit(&t, &owner, &video.id, json!({"name": "again"})).await.assert_error(409, "006");
    edit(&t, &owner, &video.id, json!({"privacy": "public"})).await.assert_error(409, "006");
    assert!(feed(&t).await.is_empty());
}

#[tokio::test]
async fn bad_bodies_are_400_naming_the_field_and_change_nothing() {
    let t = TestApp::new().await;
    let owner = register(&t, "careful", "password1").await;
    let id = seed_ready_video(&t, "careful", Privacy::Public).await;
    for (body, field) in [
        (json!({}), "body"),
        (json!({"privacy": "secret"}), "privacy"),
        (json!({"name": "x".repeat(201)}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"description": "x".repeat(5001)}), "description"),
        (json!({"name": "ok", "owner": "careful2"}), "owner"),
        (json!({"name": 5}), "name"),
    ] {
        let res = edit(&t, &owner, &id, body.clone()).await;
        res.assert_error(400, "001");
        assert!(res.body["error"].as_str().unwrap().contains(field), "{body}: {}", res.body);
    }
    let raw = Req::new("PATCH", "/").param("id", &id).bearer(&owner).raw_body("not json").build();
    t.call(handler!(videos::update_video), raw).await.assert_error(400, "001");
    let shown = get(&t, &id, None).await;
    assert_eq!(shown.assert_status(200)["name"], "example");
}
