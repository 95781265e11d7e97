//! Views count what people watched, as PeerTube counts them: the page reports
//! a view with `POST /videos/{id}/views`, which counts once per viewer, video
//! and 6 hours. `/stream` counts nothing; `GET /videos/{id}` carries the
//! presigned `stream_url` the page plays from.

use std::sync::Arc;

use tokio::task::JoinSet;
use vidlet::domain::now_epoch;
use vidlet::domain::view::{Clock, VIEW_WINDOW_SECS};
use vidlet::handlers::media::CountView;
use vidlet::ports::VideoReader;
use vidlet::runtime::respond;
use vidlet_tests::{fixture, handler, http_client, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::videos::{create, upload};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

/// A report as API Gateway passes it: the address in its request context.
fn report_req(id: &str, token: Option<&str>, ip: &str, agent: &str) -> lambda_http::Request {
    let req = Req::post(&format!("/videos/{id}/views")).param("id", id).source_ip(ip).header("user-agent", agent);
    match token {
        Some(token) => req.bearer(token).build(),
        None => req.build(),
    }
}

async fn report(t: &TestApp, id: &str, token: Option<&str>, ip: &str, agent: &str) -> TestResponse {
    t.call(handler!(videos::count_view), report_req(id, token, ip, agent)).await
}

/// A report handled as if the clock read `now`.
async fn report_at(t: &TestApp, now: i64, id: &str, ip: &str) -> TestResponse {
    let handler =
        CountView { sessions: t.db.clone(), views: t.db.clone(), config: t.config.clone(), clock: Clock::Fixed(now) };
    TestResponse::from(respond("test", &handler, report_req(id, None, ip, FIREFOX)).await)
}

/// The stored count, read consistently.
async fn views(t: &TestApp, id: &str) -> u64 {
    t.db.get_video(id).await.unwrap().expect("the video exists").views
}

/// A ready public video of a new user: (its id, the owner's token).
async fn public_video(t: &TestApp, owner: &str) -> (String, String) {
    let token = register(t, owner, "password1").await;
    let id = upload(t, &token, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    (id, token)
}

#[tokio::test]
async fn one_looping_client_counts_one_view() {
    let t = Arc::new(TestApp::new().await);
    let (id, _) = public_video(&t, "looped").await;
    for _ in 0..20 {
        report(&t, &id, None, "203.0.113.9", FIREFOX).await.assert_status(204);
    }
    assert_eq!(views(&t, &id).await, 1);
    // The same client reporting 20 times at once: the mark's condition still lets one through.
    let (other, _) = public_video(&t, "raced").await;
    let statuses = reports_at_once(&t, &other, vec!["203.0.113.9".to_owned(); 20]).await;
    assert!(statuses.iter().all(|&s| s == 204), "{statuses:?}");
    assert_eq!(views(&t, &other).await, 1);
}

#[tokio::test]
async fn different_anonymous_viewers_count_apart() {
    let t = TestApp::new().await;
    let (id, _) = public_video(&t, "shared").await;
    report(&t, &id, None, "203.0.113.9", FIREFOX).await.assert_status(204);
    report(&t, &id, None, "198.51.100.20", FIREFOX).await.assert_status(204);
    assert_eq!(views(&t, &id).await, 2, "another address is another viewer");
    report(&t, &id, None, "203.0.113.9", CHROME).await.assert_status(204);
    assert_eq!(views(&t, &id).await, 3, "another browser behind the same address is another viewer");
    // Each again: no more views. Headers a client sets (X-Forwarded-For) change nothing.
    let spoofed = Req::post("/").param("id", &id).source_ip("203.0.113.9").header("user-agent", FIREFOX);
    let spoofed = spoofed.header("x-forwarded-for", "192.0.2.77").build();
    t.call(handler!(videos::count_view), spoofed).await.assert_status(204);
    report(&t, &id, None, "198.51.100.20", FIREFOX).await.assert_status(204);
    report(&t, &id, None, "203.0.113.9", CHROME).await.assert_status(204);
    assert_eq!(views(&t, &id).await, 3);
    // The marks hold no address.
    let marks = marks_text(&t).await;
    assert!(!marks.contains("203.0.113.9") && !marks.contains("198.51.100.20"), "{marks}");
}

#[tokio::test]
async fn a_signed_in_user_is_one_viewer_across_addresses() {
    let t = TestApp::new().await;
    let (id, owner) = public_video(&t, "watched").await;
    let viewer = register(&t, "roamer", "password1").await;
    for (ip, agent) in [("203.0.113.9", FIREFOX), ("198.51.100.20", CHROME), ("2001:db8::1", "curl/8.5.0")] {
        report(&t, &id, Some(&viewer), ip, agent).await.assert_status(204);
    }
    assert_eq!(views(&t, &id).await, 1);
    // Signed out, behind one of those addresses: an anonymous viewer, counted apart.
    report(&t, &id, None, "203.0.113.9", FIREFOX).await.assert_status(204);
    assert_eq!(views(&t, &id).await, 2);
    // The owner's own view counts too, once.
    report(&t, &id, Some(&owner), "203.0.113.9", FIREFOX).await.assert_status(204);
    report(&t, &id, Some(&owner), "203.0.113.10", FIREFOX).await.assert_status(204);
    assert_eq!(views(&t, &id).await, 3);
    // Nor does a mark name the user: the table tells no one who watched what.
    let marks = marks_text(&t).await;
    assert!(!marks.contains("roamer") && !marks.contains("watched") && marks.contains("user:"), "{marks}");
}

/// Every stored view mark, as text.
async fn marks_text(t: &TestApp) -> String {
    let marks = t.dynamodb.scan().table_name(t.config.table_name(vidlet::config::Table::ViewMarks)).send().await;
    format!("{:?}", marks.unwrap().items())
}

#[tokio::test]
async fn a_viewer_counts_again_once_six_hours_have_passed() {
    let t = TestApp::new().await;
    let (id, _) = public_video(&t, "windowed").await;
    let start = now_epoch();
    report_at(&t, start, &id, "203.0.113.9").await.assert_status(204);
    report_at(&t, start + 3600, &id, "203.0.113.9").await.assert_status(204);
    report_at(&t, start + VIEW_WINDOW_SECS - 1, &id, "203.0.113.9").await.assert_status(204);
    assert_eq!(views(&t, &id).await, 1, "within 6 hours");
    // DynamoDB's TTL deletes lag (DynamoDB Local's never run): the expired mark is still
    // stored, and its expires_at is what lets the view count again.
    report_at(&t, start + VIEW_WINDOW_SECS, &id, "203.0.113.9").await.assert_status(204);
    assert_eq!(views(&t, &id).await, 2, "6 hours later");
    report_at(&t, start + VIEW_WINDOW_SECS + 60, &id, "203.0.113.9").await.assert_status(204);
    assert_eq!(views(&t, &id).await, 2, "and the new window holds");
    // The report's own clock: the mark lives 6 hours from the report.
    let marks = t.dynamodb.scan().table_name(t.config.table_name(vidlet::config::Table::ViewMarks)).send().await;
    let marks = marks.unwrap();
    let expires: Vec<&str> = marks.items().iter().map(|m| m["expires_at"].as_n().unwrap().as_str()).collect();
    assert_eq!(expires, [(start + 2 * VIEW_WINDOW_SECS).to_string()]);
}

#[tokio::test]
async fn a_report_on_a_video_the_caller_may_not_see_is_404_and_counts_nothing() {
    let t = TestApp::new().await;
    let owner = register(&t, "secretive", "password1").await;
    let stranger = register(&t, "nosy", "password1").await;
    let private = upload(&t, &owner, "clip.mp4", "video/mp4", "private").await["id"].as_str().unwrap().to_owned();
    report(&t, &private, Some(&stranger), "203.0.113.9", FIREFOX).await.assert_error(404, "005");
    report(&t, &private, None, "203.0.113.9", FIREFOX).await.assert_error(404, "005");
    assert_eq!(views(&t, &private).await, 0);
    report(&t, &private, Some(&owner), "203.0.113.9", FIREFOX).await.assert_status(204);
    assert_eq!(views(&t, &private).await, 1, "the owner may watch it");
    // Pending: only the owner sees it.
    let bytes = fixture("clip.mp4");
    let pending =
        create(&t, &owner, vidlet_tests::json!({"name": "p", "content_type": "video/mp4", "size": bytes.len()})).await
            ["video"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    report(&t, &pending, Some(&stranger), "203.0.113.9", FIREFOX).await.assert_error(404, "005");
    assert_eq!(views(&t, &pending).await, 0);
    // Unknown and malformed ids; an invalid session is a 401, never anonymity.
    report(&t, "0190c2a1-0000-7000-8000-000000000000", None, "203.0.113.9", FIREFOX).await.assert_error(404, "005");
    report(&t, "../etc/passwd", None, "203.0.113.9", FIREFOX).await.assert_error(404, "005");
    report(&t, &private, Some("forged"), "203.0.113.9", FIREFOX).await.assert_error(401, "002");
    // A viewer whose view was counted reports a video deleted since: 404, not "already counted".
    let (public, public_owner) = public_video(&t, "deleter").await;
    report(&t, &public, None, "203.0.113.9", FIREFOX).await.assert_status(204);
    let delete = Req::delete("/").param("id", &public).bearer(&public_owner).build();
    t.call(handler!(videos::delete_video), delete).await.assert_status(204);
    report(&t, &public, None, "203.0.113.9", FIREFOX).await.assert_error(404, "005");
    assert!(t.db.get_video(&public).await.unwrap().is_none(), "no item recreated by ADD");
}

#[tokio::test]
async fn many_viewers_at_once_are_each_counted() {
    let t = Arc::new(TestApp::new().await);
    let (id, _) = public_video(&t, "popular").await;
    let statuses = reports_at_once(&t, &id, (1..=20).map(|n| format!("198.51.100.{n}")).collect()).await;
    assert!(statuses.iter().all(|&s| s == 204), "{statuses:?}");
    assert_eq!(views(&t, &id).await, 20);
}

#[tokio::test]
async fn stream_no_longer_counts_views() {
    let t = TestApp::new().await;
    let (id, _) = public_video(&t, "streamed").await;
    for _ in 0..20 {
        let stream = Req::get(&format!("/videos/{id}/stream")).param("id", &id).source_ip("203.0.113.9").build();
        assert_eq!(t.call(handler!(videos::stream_video), stream).await.status.as_u16(), 302);
    }
    assert_eq!(views(&t, &id).await, 0);
}

#[tokio::test]
async fn get_video_carries_a_stream_url_that_serves_ranges() {
    let t = TestApp::new().await;
    let owner = register(&t, "player", "password1").await;
    let stranger = register(&t, "passerby", "password1").await;
    let bytes = fixture("clip.mp4");
    let get = |id: &str, token: Option<&str>| {
        let req = Req::get(&format!("/videos/{id}")).param("id", id);
        match token {
            Some(token) => req.bearer(token).build(),
            None => req.build(),
        }
    };
    let public = upload(&t, &owner, "clip.mp4", "video/mp4", "public").await["id"].as_str().unwrap().to_owned();
    let anyone = t.call(handler!(videos::get_video), get(&public, None)).await;
    let url = anyone.assert_status(200)["stream_url"].as_str().expect("a stream_url for a ready video").to_owned();
    assert!(url.contains("X-Amz-Signature") && url.contains("response-content-type=video%2Fmp4"), "{url}");
    let expires: u64 = url.split("X-Amz-Expires=").nth(1).unwrap().split('&').next().unwrap().parse().unwrap();
    assert!(expires <= 3600, "stream_url lives {expires} s");
    let first = http_client().get(&url).header("range", "bytes=0-1").send().await.unwrap();
    assert_eq!(first.status().as_u16(), 206);
    assert_eq!(first.headers()["content-range"], format!("bytes 0-1/{}", bytes.len()).as_str());
    assert_eq!(first.headers()["content-type"], "video/mp4");
    assert_eq!(first.bytes().await.unwrap().as_ref(), &bytes[0..2]);
    let seek = http_client().get(&url).header("range", "bytes=20000-20999").send().await.unwrap();
    assert_eq!(seek.status().as_u16(), 206);
    assert_eq!(seek.bytes().await.unwrap().as_ref(), &bytes[20000..21000]);
    // Reading the video counts no view either.
    assert_eq!(views(&t, &public).await, 0);

    // A private ready video: its owner gets the URL, a stranger a 404 without one.
    let private = upload(&t, &owner, "clip.mp4", "video/mp4", "private").await["id"].as_str().unwrap().to_owned();
    let mine = t.call(handler!(videos::get_video), get(&private, Some(&owner))).await;
    let mine = mine.assert_status(200)["stream_url"].as_str().unwrap().to_owned();
    assert_eq!(http_client().get(&mine).header("range", "bytes=0-1").send().await.unwrap().status().as_u16(), 206);
    let theirs = t.call(handler!(videos::get_video), get(&private, Some(&stranger))).await;
    theirs.assert_error(404, "005");
    assert!(theirs.body.get("stream_url").is_none());

    // A pending video: nothing to stream yet, so no stream_url, even for its owner.
    let created =
        create(&t, &owner, vidlet_tests::json!({"name": "p", "content_type": "video/mp4", "size": bytes.len()})).await;
    let pending = created["video"]["id"].as_str().unwrap();
    let read = t.call(handler!(videos::get_video), get(pending, Some(&owner))).await;
    assert_eq!(read.assert_status(200)["status"], "pending");
    assert!(read.body.get("stream_url").is_none(), "{}", read.body);
}

/// count-view's salt is a secret the template generates, resolved at deploy time
/// and given to that function only.
#[test]
fn the_viewer_salt_is_a_generated_secret_of_count_view_alone() {
    let template = vidlet_tests::template();
    let resources: std::collections::BTreeMap<&str, &serde_norway::Value> = template.resources().collect();
    let salt = resources["ViewerSalt"];
    assert_eq!(salt["Type"].as_str(), Some("AWS::SecretsManager::Secret"));
    assert!(salt["Properties"]["GenerateSecretString"]["PasswordLength"].as_u64().is_some_and(|n| n >= 32));
    let (id, _) = template.function("count-view").unwrap();
    let value = match &resources[id]["Properties"]["Environment"]["Variables"]["VIEWER_SALT"] {
        serde_norway::Value::Tagged(tagged) => tagged.value.as_str().unwrap().to_owned(),
        other => panic!("VIEWER_SALT is not a !Sub: {other:?}"),
    };
    assert_eq!(value, "{{resolve:secretsmanager:${ViewerSalt}:SecretString}}");
    assert!(template.root["Globals"]["Function"]["Environment"]["Variables"]["VIEWER_SALT"].is_null());
    let others = resources
        .iter()
        .filter(|(name, r)| **name != id && !r["Properties"]["Environment"]["Variables"]["VIEWER_SALT"].is_null());
    assert_eq!(others.count(), 0, "only count-view gets the salt");
}

/// Anonymous reports from these addresses, all sent at once: their statuses.
async fn reports_at_once(t: &Arc<TestApp>, id: &str, addresses: Vec<String>) -> Vec<u16> {
    let mut running = JoinSet::new();
    for ip in addresses {
        let (t, id) = (t.clone(), id.to_owned());
        running.spawn(async move { report(&t, &id, None, &ip, FIREFOX).await.status.as_u16() });
    }
    running.join_all().await
}
