//! Following: `PUT`/`DELETE /users/{username}/follow` are idempotent, signed
//! in, refuse yourself and unknown users, and hold the per-user cap under
//! concurrency; `GET /me/following` pages by name; `GET /feed/following` pages
//! the public videos of whom you follow, newest first; a deleted account's
//! follows go with it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::task::JoinSet;
use vidlet::config::{Config, Table};
use vidlet::domain::now_epoch;
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::ports::VideoCreator;
use vidlet_tests::{handler, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::comments_and_sweep::seed_ready_video;

async fn follow(t: &TestApp, name: &str, token: &str) -> TestResponse {
    let req = Req::new("PUT", "/").param("username", name).bearer(token).build();
    t.call(handler!(follows::follow_user), req).await
}

async fn unfollow(t: &TestApp, name: &str, token: &str) -> TestResponse {
    t.call(handler!(follows::unfollow_user), Req::delete("/").param("username", name).bearer(token).build()).await
}

/// Every page of a list, following `next_cursor`: the page sizes and the `field` of each item.
async fn walk(
    t: &TestApp,
    h: vidlet_tests::Handler,
    token: &str,
    list: &str,
    field: &str,
) -> (Vec<usize>, Vec<String>) {
    let (mut sizes, mut all) = (Vec::new(), Vec::new());
    let mut cursor: Option<String> = None;
    loop {
        let mut req = Req::get("/").query("limit", "2").bearer(token);
        if let Some(c) = &cursor {
            req = req.query("cursor", c);
        }
        let res = t.call(h, req.build()).await;
        let body = res.assert_status(200).clone();
        let items = body[list].as_array().unwrap();
        sizes.push(items.len());
        all.extend(items.iter().map(|i| i[field].as_str().unwrap().to_owned()));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (sizes, all),
        }
        assert!(sizes.len() < 20, "paging does not end");
    }
}

async fn feed(t: &TestApp, token: &str) -> Vec<String> {
    walk(t, handler!(follows::following_feed), token, "videos", "id").await.1
}

async fn following(t: &TestApp, token: &str) -> Vec<String> {
    walk(t, handler!(follows::list_following), token, "following", "username").await.1
}

/// The follower's stored count, read consistently.
async fn count(t: &TestApp, username: &str) -> Option<i64> {
    let out = t.dynamodb.get_item().table_name(t.config.table_name(Table::Users)).key("username", s(username));
    let item = out.consistent_read(true).send().await.unwrap().item?;
    item.get("following").map(|v| v.as_n().unwrap().parse().unwrap())
}

async fn follow_items(t: &TestApp) -> Vec<(String, String)> {
    let out = t.dynamodb.scan().table_name(t.config.table_name(Table::Follows)).consistent_read(true).send().await;
    let text = |item: &vidlet::store::dynamo::util::Item, k: &str| item[k].as_s().unwrap().clone();
    let mut pairs: Vec<_> =
        out.unwrap().items().iter().map(|item| (text(item, "follower"), text(item, "followee"))).collect();
    pairs.sort();
    pairs
}

fn s(v: &str) -> aws_sdk_dynamodb::types::AttributeValue {
    aws_sdk_dynamodb::types::AttributeValue::S(v.into())
}

#[tokio::test]
async fn follow_and_unfollow_are_idempotent_signed_in_and_only_of_someone_else_who_exists() {
    let t = TestApp::new().await;
    let alice = register(&t, "alice", "password1").await;
    register(&t, "bob", "password1").await;
    for _ in 0..3 {
        follow(&t, "bob", &alice).await.assert_status(204);
    }
    assert_eq!(follow_items(&t).await, [("alice".into(), "bob".into())], "following again changes nothing");
    assert_eq!(count(&t, "alice").await, Some(1));
    // Names are case-insensitive, as everywhere.
    follow(&t, "BOB", &alice).await.assert_status(204);
    assert_eq!(count(&t, "alice").await, Some(1));
    assert_eq!(following(&t, &alice).await, ["bob"]);

    follow(&t, "alice", &alice).await.assert_error(400, "001");
    unfollow(&t, "alice", &alice).await.assert_error(400, "001");
    for unknown in ["nobody", "x", "not a name"] {
        follow(&t, unknown, &alice).await.assert_error(404, "005");
        unfollow(&t, unknown, &alice).await.assert_error(404, "005");
    }
    let anonymous = Req::new("PUT", "/").param("username", "bob").build();
    t.call(handler!(follows::follow_user), anonymous).await.assert_error(401, "002");
    let anonymous = Req::delete("/").param("username", "bob").build();
    t.call(handler!(follows::unfollow_user), anonymous).await.assert_error(401, "002");
    for h in [handler!(follows::list_following), handler!(follows::following_feed)] {
        t.call(h, Req::get("/").build()).await.assert_error(401, "002");
    }

    for _ in 0..3 {
        unfollow(&t, "bob", &alice).await.assert_status(204);
        assert_eq!(count(&t, "alice").await, Some(0), "unfollowing again changes nothing");
    }
    assert_eq!(follow_items(&t).await, []);
    assert_eq!(following(&t, &alice).await, Vec::<String>::new());
}

#[tokio::test]
async fn the_following_list_pages_by_name_and_answers_for_one_user() {
    let t = TestApp::new().await;
    let fan = register(&t, "fan", "password1").await;
    let other = register(&t, "other", "password1").await;
    for name in ["erin", "carl", "dora", "bea", "abe"] {
        register(&t, name, "password1").await;
        follow(&t, name, &fan).await.assert_status(204);
    }
    let (sizes, names) = walk(&t, handler!(follows::list_following), &fan, "following", "username").await;
    assert_eq!(
        (sizes, names),
        (vec![2, 2, 1], vec!["abe", "bea", "carl", "dora", "erin"].into_iter().map(String::from).collect())
    );

    let one = |name: &str, token: &str| Req::get("/").query("username", name).bearer(token).build();
    let res = t.call(handler!(follows::list_following), one("dora", &fan)).await;
    let body = res.assert_status(200);
    assert_eq!(body["following"].as_array().unwrap().len(), 1);
    assert_eq!(body["following"][0]["username"], "dora");
    assert!(body["following"][0]["since"].as_str().unwrap().ends_with('Z'));
    for (name, token) in [("dora", &other), ("other", &fan), ("not a name", &fan)] {
        let res = t.call(handler!(follows::list_following), one(name, token)).await;
        assert_eq!(res.assert_status(200)["following"], json!([]), "{name}");
    }

    // A cursor fits only the list, and the user, that issued it.
    let first = t.call(handler!(follows::list_following), Req::get("/").query("limit", "2").bearer(&fan).build()).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let stolen = Req::get("/").query("cursor", &cursor).bearer(&other).build();
    t.call(handler!(follows::list_following), stolen).await.assert_error(400, "001");
    let as_feed = Req::get("/").query("cursor", &cursor).bearer(&fan).build();
    t.call(handler!(follows::following_feed), as_feed).await.assert_error(400, "001");
}

#[tokio::test]
async fn the_cap_on_follows_holds_under_concurrent_follows() {
    let t = Arc::new(TestApp::with_config(Config { max_following: 3, ..Config::default() }).await);
    let fan = register(&t, "fan", "password1").await;
    let names: Vec<String> = (0..8).map(|i| format!("creator{i}")).collect();
    for name in &names {
        register(&t, name, "password1").await;
    }
    let mut racing = JoinSet::new();
    for name in names.iter().chain(&names) {
        let (t, fan, name) = (t.clone(), fan.clone(), name.clone());
        racing.spawn(async move { follow(&t, &name, &fan).await });
    }
    let answers = racing.join_all().await;
    for refused in answers.iter().filter(|a| a.status != 204) {
        refused.assert_error(409, "006");
    }
    let followed = follow_items(&t).await;
    assert_eq!(followed.len(), 3, "{followed:?}");
    assert_eq!(count(&t, "fan").await, Some(3));
    // Following one of them again is still a success; after an unfollow there is room.
    let (_, first) = &followed[0];
    follow(&t, first, &fan).await.assert_status(204);
    let spare = names.iter().find(|n| !followed.iter().any(|(_, f)| f == *n)).unwrap();
    follow(&t, spare, &fan).await.assert_error(409, "006");
    unfollow(&t, first, &fan).await.assert_status(204);
    follow(&t, spare, &fan).await.assert_status(204);
    assert_eq!(count(&t, "fan").await, Some(3));
}

#[tokio::test]
async fn the_feed_pages_newest_first_only_public_ready_videos_of_whom_you_follow() {
    let t = TestApp::new().await;
    let fan = register(&t, "fan", "password1").await;
    for name in ["ann", "ben", "cat", "stranger"] {
        register(&t, name, "password1").await;
    }
    for name in ["ann", "ben", "cat"] {
        follow(&t, name, &fan).await.assert_status(204);
    }
    let mut shown = Vec::new();
    for round in 0..3 {
        for name in ["ann", "ben", "cat"] {
            if round == 2 && name == "cat" {
                continue;
            }
            shown.push((name, seed_ready_video(&t, name, Privacy::Public).await));
        }
        // Never in the feed: hidden, unfinished, or someone not followed.
        seed_ready_video(&t, "ann", Privacy::Private).await;
        seed_ready_video(&t, "ben", Privacy::Unlisted).await;
        let pending = Video::example("cat", VideoStatus::Pending, Privacy::Public);
        t.db.create_video(&pending, t.config.user_quota_bytes).await.unwrap();
        seed_ready_video(&t, "stranger", Privacy::Public).await;
    }
    let newest_first: Vec<String> = shown.iter().rev().map(|(_, id)| id.clone()).collect();
    let (sizes, ids) = walk(&t, handler!(follows::following_feed), &fan, "videos", "id").await;
    assert_eq!(ids, newest_first);
    assert_eq!(sizes, [2, 2, 2, 2]);
    let page = t.call(handler!(follows::following_feed), Req::get("/").bearer(&fan).build()).await;
    let first: &Value = &page.assert_status(200)["videos"][0];
    assert_eq!((first["owner"].as_str(), first["status"].as_str()), (Some("ben"), Some("ready")));

    unfollow(&t, "ben", &fan).await.assert_status(204);
    let without_ben: Vec<String> = shown.iter().rev().filter(|(n, _)| *n != "ben").map(|(_, id)| id.clone()).collect();
    assert_eq!(feed(&t, &fan).await, without_ben);
    // Someone who follows nobody has an empty feed.
    let loner = register(&t, "loner", "password1").await;
    let empty = t.call(handler!(follows::following_feed), Req::get("/").bearer(&loner).build()).await;
    assert_eq!(empty.assert_status(200).clone(), json!({"videos": [], "next_cursor": null}));
}

#[tokio::test]
async fn a_deleted_account_leaves_no_follow_either_way() {
    let t = TestApp::new().await;
    let fan = register(&t, "fan", "password1").await;
    let gone = register(&t, "gone", "password1").await;
    register(&t, "kept", "password1").await;
    follow(&t, "gone", &fan).await.assert_status(204);
    follow(&t, "kept", &fan).await.assert_status(204);
    follow(&t, "kept", &gone).await.assert_status(204);
    follow(&t, "fan", &gone).await.assert_status(204);
    let video = seed_ready_video(&t, "gone", Privacy::Public).await;
    assert_eq!(feed(&t, &fan).await, [video]);

    let delete = Req::delete("/").param("username", "gone").bearer(&gone).json(json!({"password": "password1"}));
    t.call(handler!(accounts::delete_user), delete.build()).await.assert_status(204);
    assert_eq!(feed(&t, &fan).await, Vec::<String>::new(), "its videos left every feed at once");
    follow(&t, "gone", &fan).await.assert_error(404, "005");

    let due = now_epoch() + t.config.account_purge_delay_secs + 1;
    let purged = t.sweep().run_as_of(due, Duration::from_secs(60)).await.unwrap();
    assert!(purged.finished, "{purged:?}");
    assert_eq!(follow_items(&t).await, [("fan".into(), "kept".into())]);
    assert_eq!(count(&t, "fan").await, Some(1), "the follower's count follows");
    // A later holder of the name is followed by nobody.
    let heir = register(&t, "gone", "password1").await;
    seed_ready_video(&t, "gone", Privacy::Public).await;
    assert_eq!(following(&t, &fan).await, ["kept"]);
    assert_eq!(feed(&t, &fan).await, Vec::<String>::new());
    assert_eq!(following(&t, &heir).await, Vec::<String>::new());
}
