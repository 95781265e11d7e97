//! `GET /search?q=`: ready, public videos whose words start with each query
//! word, case and accents aside, newest first in pages; hidden, pending and
//! deleted videos are never found, and edits show at once.

use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::Value;
use vidlet::config::Table;
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::ports::{ReadyInfo, UploadSettler, VideoCreator};
use vidlet_tests::{handler, json, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::videos::ids;

/// A ready (or pending) video named `name`, published as complete-video publishes it.
async fn seed(t: &TestApp, owner: &str, name: &str, description: &str, privacy: Privacy, ready: bool) -> String {
    let mut video = Video::example(owner, VideoStatus::Pending, privacy);
    (video.name, video.description) = (name.into(), description.into());
    t.db.create_video(&video, t.config.user_quota_bytes).await.unwrap();
    if ready {
        t.db.mark_ready(&video, &ReadyInfo::default()).await.unwrap().expect("was pending");
    }
    video.id
}

async fn search_page(t: &TestApp, q: &str, limit: Option<u32>, cursor: Option<&str>) -> TestResponse {
    let mut req = Req::get("/search").query("q", q);
    if let Some(limit) = limit {
        req = req.query("limit", &limit.to_string());
    }
    if let Some(cursor) = cursor {
        req = req.query("cursor", cursor);
    }
    t.call(handler!(videos::search_videos), req.build()).await
}

/// Every id found for `q`, through all pages.
async fn search(t: &TestApp, q: &str) -> Vec<String> {
    let (mut all, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let res = search_page(t, q, Some(50), cursor.as_deref()).await;
        let body = res.assert_status(200);
        all.extend(ids(body, "videos"));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return all,
        }
    }
}

/// The index's terms for a video (a Query per term would need the terms: read them all).
async fn indexed_terms(t: &TestApp, id: &str) -> Vec<String> {
    let table = t.config.table_name(Table::SearchTerms);
    let out = t.dynamodb.scan().table_name(table).send().await.unwrap();
    let mut terms: Vec<String> = out
        .items
        .unwrap_or_default()
        .into_iter()
        .filter(|item| item.get("video_id") == Some(&AttributeValue::S(id.into())))
        .map(|item| item["term"].as_s().unwrap().clone())
        .collect();
    terms.sort();
    terms
}

async fn edit(t: &TestApp, token: &str, id: &str, body: Value) {
    let req = Req::new("PATCH", &format!("/videos/{id}")).param("id", id).bearer(token).json(body);
    t.call(handler!(videos::update_video), req.build()).await.assert_status(200);
}

#[tokio::test]
async fn case_and_accents_do_not_matter_and_every_word_matches_a_word_by_prefix() {
    let t = TestApp::new().await;
    register(&t, "ann", "password1").await;
    let cafe = seed(&t, "ann", "Café au lait", "Morning routine", Privacy::Public, true).await;
    let cafeteria = seed(&t, "ann", "CAFETERIA review", "a quick lunch", Privacy::Public, true).await;
    let tea = seed(&t, "ann", "Tea time", "", Privacy::Public, true).await;
    let long = seed(&t, "ann", "Incomprehensibilities", "", Privacy::Public, true).await;
    assert_eq!(search(&t, "cafe").await, [cafeteria.clone(), cafe.clone()], "newest first");
    assert_eq!(search(&t, "CAFÉ").await, [cafeteria.clone(), cafe.clone()]);
    assert_eq!(search(&t, "Caf").await, [cafeteria.clone(), cafe.clone()]);
    assert_eq!(search(&t, "caf LAIT").await, [cafe.as_str()], "every word must match");
    assert_eq!(search(&t, "lunch, caf!").await, [cafeteria.as_str()]);
    assert_eq!(search(&t, "morning routine au").await, [cafe.as_str()]);
    assert_eq!(search(&t, "tea").await, [tea]);
    assert!(search(&t, "afe").await.is_empty(), "a prefix, not any substring");
    assert!(search(&t, "cafe tea").await.is_empty());
    // A word past the index's term length: looked up by its start, checked whole.
    assert_eq!(search(&t, "incomprehensibilit").await, [long.as_str()]);
    assert_eq!(search(&t, "INCOMPRÉHENSIBILITIES").await, [long]);
    assert!(search(&t, "incomprehensibly").await.is_empty());
}

#[tokio::test]
async fn pages_are_newest_first_behind_a_cursor_only_this_search_accepts() {
    let t = TestApp::new().await;
    register(&t, "ann", "password1").await;
    let mut seeded = Vec::new();
    for n in 0..7 {
        seeded.push(seed(&t, "ann", &format!("Walk {n}"), "", Privacy::Public, true).await);
        seed(&t, "ann", &format!("Run {n}"), "", Privacy::Public, true).await;
    }
    seeded.reverse();
    let (mut pages, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let res = search_page(&t, "walk", Some(3), cursor.as_deref()).await;
        let body = res.assert_status(200).clone();
        pages.push(ids(&body, "videos"));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages.concat(), seeded);
    assert_eq!(pages[0].len(), 3);
    assert_eq!(pages[..3].iter().map(Vec::len).sum::<usize>(), 7);

    let first = search_page(&t, "walk", Some(3), None).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    search_page(&t, "run", Some(3), Some(&cursor)).await.assert_error(400, "001");
    search_page(&t, "walk", Some(3), Some("not-a-cursor")).await.assert_error(400, "001");
    let feed = t.call(handler!(videos::list_videos), Req::get("/videos").query("limit", "1").build()).await;
    let feed_cursor = feed.body["next_cursor"].as_str().unwrap().to_owned();
    search_page(&t, "walk", Some(3), Some(&feed_cursor)).await.assert_error(400, "001");
}

#[tokio::test]
async fn pages_of_words_rare_together_are_full_and_resume_after_their_last_video() {
    let t = TestApp::new().await;
    register(&t, "ann", "password1").await;
    let mut both = Vec::new();
    for n in 0..30 {
        let name = if n % 5 == 0 { format!("Walk in the park {n}") } else { format!("Walk on the road {n}") };
        let id = seed(&t, "ann", &name, "", Privacy::Public, true).await;
        if n % 5 == 0 {
            both.push(id);
        }
    }
    both.reverse();
    let (mut pages, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let res = search_page(&t, "walk park", Some(2), cursor.as_deref()).await;
        let body = res.assert_status(200).clone();
        pages.push(ids(&body, "videos"));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages.concat(), both, "newest first, none twice, none missed");
    assert!(pages[..3].iter().all(|p| p.len() == 2), "full pages although 1 walk in 5 is in the park: {pages:?}");
}

#[tokio::test]
async fn bad_queries_and_limits_are_400() {
    let t = TestApp::new().await;
    for (q, limit) in [("", None), ("  -- ", None), (&*"a".repeat(101), None), ("x", Some(0)), ("x", Some(51))] {
        search_page(&t, q, limit, None).await.assert_error(400, "001");
    }
    let none = t.call(handler!(videos::search_videos), Req::get("/search").build()).await;
    none.assert_error(400, "001");
}

#[tokio::test]
async fn private_unlisted_pending_and_deleted_videos_are_never_found() {
    let t = TestApp::new().await;
    let token = register(&t, "ann", "password1").await;
    let shown = seed(&t, "ann", "Secret garden", "", Privacy::Public, true).await;
    seed(&t, "ann", "Secret private", "", Privacy::Private, true).await;
    seed(&t, "ann", "Secret unlisted", "", Privacy::Unlisted, true).await;
    let pending = seed(&t, "ann", "Secret pending", "", Privacy::Public, false).await;
    let deleted = seed(&t, "ann", "Secret deleted", "", Privacy::Public, true).await;
    assert!(!indexed_terms(&t, &deleted).await.is_empty());
    let delete = Req::delete("/").param("id", &deleted).bearer(&token).build();
    t.call(handler!(videos::delete_video), delete).await.assert_status(204);
    assert_eq!(search(&t, "secret").await, [shown]);
    assert!(indexed_terms(&t, &deleted).await.is_empty(), "a deleted video's terms go with it");
    assert!(indexed_terms(&t, &pending).await.is_empty());

    // Even an index item left behind (a lagging write) never shows a hidden video.
    let private = seed(&t, "ann", "Hidden", "", Privacy::Private, true).await;
    let stale = [("term", "hidden"), ("video_id", private.as_str()), ("words", " hidden ")]
        .map(|(k, v)| (k.to_owned(), AttributeValue::S(v.to_owned())));
    let table = t.config.table_name(Table::SearchTerms);
    t.dynamodb.put_item().table_name(table).set_item(Some(stale.into())).send().await.unwrap();
    assert!(search(&t, "hidden").await.is_empty());
}

#[tokio::test]
async fn an_edit_shows_in_search_at_once() {
    let t = TestApp::new().await;
    let token = register(&t, "ann", "password1").await;
    let id = seed(&t, "ann", "Old title", "about boats", Privacy::Public, true).await;
    assert_eq!(search(&t, "old boats").await, [id.as_str()]);
    edit(&t, &token, &id, json!({"name": "New title"})).await;
    assert!(search(&t, "old").await.is_empty(), "the old word no longer finds it");
    assert!(!indexed_terms(&t, &id).await.contains(&"old".to_owned()), "and its terms are gone");
    assert_eq!(search(&t, "new boats").await, [id.as_str()]);
    edit(&t, &token, &id, json!({"description": "about trains"})).await;
    assert!(search(&t, "boats").await.is_empty());
    assert_eq!(search(&t, "new train").await, [id.as_str()], "each item's words follow the edit");

    edit(&t, &token, &id, json!({"privacy": "private"})).await;
    assert!(search(&t, "new").await.is_empty(), "private: gone at once");
    assert!(indexed_terms(&t, &id).await.is_empty());
    edit(&t, &token, &id, json!({"privacy": "unlisted"})).await;
    assert!(search(&t, "new").await.is_empty());
    edit(&t, &token, &id, json!({"privacy": "public"})).await;
    assert_eq!(search(&t, "new").await, [id]);
}

#[tokio::test]
async fn a_deleted_account_s_videos_leave_search() {
    let t = TestApp::new().await;
    let token = register(&t, "ann", "password1").await;
    let id = seed(&t, "ann", "Farewell tour", "", Privacy::Public, true).await;
    assert_eq!(search(&t, "farewell").await, [id.as_str()]);
    let delete = Req::delete("/").param("username", "ann").bearer(&token).json(json!({"password": "password1"}));
    t.call(handler!(accounts::delete_user), delete.build()).await.assert_status(204);
    assert!(search(&t, "farewell").await.is_empty());
    assert!(indexed_terms(&t, &id).await.is_empty());
}
