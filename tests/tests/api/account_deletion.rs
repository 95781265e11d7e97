//! Deleting an account is final: no session of it works, not even one a racing
//! login created; what it left is purged; and a later holder of the name
//! inherits nothing.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use vidlet::domain::now_epoch;
use vidlet_tests::{handler, json, Req, TestApp};

use crate::accounts::register;
use crate::videos::{create, upload};

const LONG_ENOUGH: Duration = Duration::from_secs(60);

fn delete_account(username: &str, token: &str) -> lambda_http::Request {
    Req::delete("/").param("username", username).bearer(token).json(json!({"password": "password1"})).build()
}

fn login(username: &str) -> lambda_http::Request {
    Req::post("/sessions").json(json!({"username": username, "password": "password1"})).build()
}

async fn comment(t: &TestApp, video: &str, token: &str, content: &str) -> Value {
    let req = Req::post("/").param("id", video).bearer(token).json(json!({"content": content})).build();
    t.call(handler!(comments::create_comment), req).await.assert_status(201).clone()
}

async fn comment_authors(t: &TestApp, video: &str) -> Vec<String> {
    let list = t.call(handler!(comments::list_comments), Req::get("/").param("id", video).build()).await;
    let comments = list.assert_status(200)["comments"].as_array().unwrap().clone();
    comments.iter().map(|c| c["author"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_deleted_accounts_name_registered_again_inherits_nothing() {
    let t = TestApp::new().await;
    let host = register(&t, "host", "password1").await;
    let video = upload(&t, &host, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let registered = t
        .call(
            handler!(accounts::register),
            Req::post("/users").json(json!({"username": "heir", "password": "password1"})).build(),
        )
        .await;
    let first = registered.assert_status(201)["session_id"].as_str().unwrap().to_owned();
    let old_device = registered.body["device_token"].as_str().unwrap().to_owned();
    let second = t.call(handler!(accounts::login), login("heir")).await.body["session_id"].as_str().unwrap().to_owned();
    let old_comment = comment(&t, &video, &first, "first!").await["comment"]["id"].as_str().unwrap().to_owned();
    create(&t, &first, json!({"name": "draft", "content_type": "video/mp4", "size": 1000})).await;

    t.call(handler!(accounts::delete_user), delete_account("heir", &first)).await.assert_status(204);
    for session in [&first, &second] {
        t.call(handler!(accounts::me), Req::get("/me").bearer(session).build()).await.assert_error(401, "002");
    }
    // The name stays taken while anything of the old account is left.
    let early = Req::post("/users").json(json!({"username": "heir", "password": "password2"})).build();
    t.call(handler!(accounts::register), early).await.assert_error(409, "006");

    let purged = t.sweep().run_as_of(now_epoch() + t.config.account_purge_delay_secs + 1, LONG_ENOUGH).await.unwrap();
    assert!(purged.finished, "{purged:?}");
    assert_eq!(comment_authors(&t, &video).await, Vec::<String>::new(), "comments on others' videos are gone");

    let again = Req::post("/users").json(json!({"username": "heir", "password": "password2"})).build();
    let heir =
        t.call(handler!(accounts::register), again).await.assert_status(201)["session_id"].as_str().unwrap().to_owned();
    for session in [&first, &second] {
        t.call(handler!(accounts::me), Req::get("/me").bearer(session).build()).await.assert_error(401, "002");
    }
    let mine = Req::get("/").param("username", "heir").bearer(&heir).build();
    let listed = t.call(handler!(videos::list_user_videos), mine).await;
    assert_eq!(listed.assert_status(200)["videos"], json!([]), "no video of the old account");
    let old = Req::delete("/").param("id", &video).param("comment_id", &old_comment).bearer(&heir).build();
    t.call(handler!(comments::delete_comment), old).await.assert_error(404, "005");
    // The old device token vouches for nothing: the new holder gets a device token of their own.
    let with_old_device = json!({"username": "heir", "password": "password2", "device_token": old_device});
    let relogin = t.call(handler!(accounts::login), Req::post("/sessions").json(with_old_device).build()).await;
    assert_ne!(relogin.assert_status(201)["device_token"], old_device.as_str());
}

fn like(video: &str, token: &str) -> lambda_http::Request {
    Req::new("PUT", "/").param("id", video).bearer(token).build()
}

async fn likes_and_mine(t: &TestApp, video: &str, token: &str) -> (Value, Value) {
    let shown = t.call(handler!(videos::get_video), Req::get("/").param("id", video).bearer(token).build()).await;
    let body = shown.assert_status(200);
    (body["likes"].clone(), body["liked_by_me"].clone())
}

#[tokio::test]
async fn the_likes_of_a_deleted_account_are_taken_back_and_not_inherited() {
    let t = TestApp::new().await;
    let host = register(&t, "host", "password1").await;
    let fan = register(&t, "fan", "password1").await;
    let videos: Vec<String> = [
        upload(&t, &host, "clip.mp4", "video/mp4", "public").await,
        upload(&t, &host, "clip.mp4", "video/mp4", "public").await,
    ]
    .iter()
    .map(|v| v["id"].as_str().unwrap().to_owned())
    .collect();
    for video in &videos {
        t.call(handler!(videos::like_video), like(video, &host)).await.assert_status(204);
        t.call(handler!(videos::like_video), like(video, &fan)).await.assert_status(204);
    }
    // One liked video is deleted before the purge: its like goes without a count to change.
    let gone = Req::delete("/").param("id", &videos[1]).bearer(&host).build();
    t.call(handler!(videos::delete_video), gone).await.assert_status(204);

    t.call(handler!(accounts::delete_user), delete_account("fan", &fan)).await.assert_status(204);
    let purged = t.sweep().run_as_of(now_epoch() + t.config.account_purge_delay_secs + 1, LONG_ENOUGH).await.unwrap();
    assert!(purged.finished, "{purged:?}");
    assert_eq!(likes_and_mine(&t, &videos[0], &host).await, (json!(1), json!(true)), "only the host's like is left");

    let again = Req::post("/users").json(json!({"username": "fan", "password": "password2"})).build();
    let heir =
        t.call(handler!(accounts::register), again).await.assert_status(201)["session_id"].as_str().unwrap().to_owned();
    assert_eq!(likes_and_mine(&t, &videos[0], &heir).await, (json!(1), json!(false)), "the new holder liked nothing");
    // Liking is theirs to do afresh, and counts once.
    t.call(handler!(videos::like_video), like(&videos[0], &heir)).await.assert_status(204);
    assert_eq!(likes_and_mine(&t, &videos[0], &heir).await, (json!(2), json!(true)));
}

#[tokio::test]
async fn a_login_racing_the_deletion_leaves_no_working_session() {
    let t = Arc::new(TestApp::new().await);
    for round in 0..6 {
        let name = format!("racer{round}");
        let token = register(&t, &name, "password1").await;
        let (logged_in, deleted) = {
            let (t1, t2, n1, n2) = (t.clone(), t.clone(), name.clone(), name.clone());
            let login = tokio::spawn(async move { t1.call(handler!(accounts::login), login(&n1)).await });
            let delete =
                tokio::spawn(
                    async move { t2.call(handler!(accounts::delete_user), delete_account(&n2, &token)).await },
                );
            (login.await.unwrap(), delete.await.unwrap())
        };
        deleted.assert_status(204);
        if logged_in.status == 201 {
            let session = logged_in.body["session_id"].as_str().unwrap();
            t.call(handler!(accounts::me), Req::get("/me").bearer(session).build()).await.assert_error(401, "002");
            let video = json!({"name": "late", "content_type": "video/mp4", "size": 1000});
            let create = Req::post("/videos").bearer(session).json(video).build();
            t.call(handler!(videos::create_video), create).await.assert_error(401, "002");
        }
    }
}
