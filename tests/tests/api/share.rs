//! Share links: `/v/{id}` and `/u/{username}` serve the page with the card of
//! what they show, read from the real tables. A video or user nobody may see
//! gets the site's card, byte for byte the same whatever the reason, and every
//! value is escaped, proved by parsing the page as a browser would.

use scraper::{Html, Selector};
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::ports::{ReadyInfo, UploadSettler, VideoCreator};
use vidlet_tests::{handler, json, Req, TestApp, TestResponse};

use crate::accounts::register;

const HOSTILE: &[&str] = &[
    r#""><script>alert(1)</script>"#,
    "' onload='alert(1)' x='",
    "</title><script src=//evil.example/x.js></script>",
    "&amp; &lt;b&gt; &#x27; &",
    "Ünïcødé 🎬 «ciné» — 日本語 <b>bold</b>",
];

async fn video_page(t: &TestApp, id: &str) -> TestResponse {
    t.call(handler!(web::site), Req::get("/v/_").param("id", id).build()).await
}

async fn user_page(t: &TestApp, name: &str) -> TestResponse {
    t.call(handler!(web::site), Req::get("/u/_").param("username", name).build()).await
}

/// Stores a video of `owner` as given, then makes it ready unless it is pending.
async fn seed(t: &TestApp, video: Video) -> String {
    let ready = video.status == VideoStatus::Ready;
    let pending = Video { status: VideoStatus::Pending, ..video };
    t.db.create_video(&pending, t.config.user_quota_bytes).await.unwrap();
    if ready {
        t.db.mark_ready(&pending, &ReadyInfo::default()).await.unwrap().expect("was pending");
    }
    pending.id
}

fn html(res: &TestResponse) -> Html {
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.headers["content-type"], "text/html; charset=utf-8");
    Html::parse_document(std::str::from_utf8(&res.raw).unwrap())
}

/// A meta tag's content as a browser reads it (entities decoded).
fn meta(doc: &Html, key: &str) -> Option<String> {
    let selector = Selector::parse(&format!(r#"meta[property="{key}"], meta[name="{key}"]"#)).unwrap();
    let mut found = doc.select(&selector).map(|e| e.value().attr("content").unwrap().to_owned());
    let first = found.next();
    assert!(found.next().is_none(), "{key} appears twice");
    first
}

fn title(doc: &Html) -> String {
    let selector = Selector::parse("title").unwrap();
    let titles: Vec<String> = doc.select(&selector).map(|e| e.text().collect()).collect();
    assert_eq!(titles.len(), 1, "one <title>: {titles:?}");
    titles[0].clone()
}

/// Nothing the page's own markup does not have: its scripts, each with its
/// `src`, and no event-handler attribute anywhere.
fn assert_nothing_injected(doc: &Html) {
    let index = std::str::from_utf8(vidlet::handlers::web::ASSETS[0].bytes).unwrap();
    let scripts: Vec<_> = doc.select(&Selector::parse("script").unwrap()).collect();
    assert_eq!(scripts.len(), index.matches("<script").count(), "the page's own scripts only");
    assert!(scripts.iter().all(|s| s.value().attr("src").is_some_and(|src| src.starts_with("/assets/"))));
    for element in doc.select(&Selector::parse("*").unwrap()) {
        for (name, _) in element.value().attrs() {
            assert!(!name.starts_with("on"), "injected {name} on <{}>", element.value().name());
        }
    }
    let heads = doc.select(&Selector::parse("head meta[property^='og:']").unwrap()).count();
    assert!(heads >= 5, "the card stays in <head>");
}

#[tokio::test]
async fn a_public_video_has_its_title_description_and_poster() {
    let t = TestApp::new().await;
    register(&t, "alice", "password1").await;
    let video = Video {
        name: "Cats on a boat".into(),
        description: "Two cats, one boat.".into(),
        poster_content_type: Some("image/jpeg".into()),
        ..Video::example("alice", VideoStatus::Ready, Privacy::Public)
    };
    let id = seed(&t, video).await;
    let doc = html(&video_page(&t, &id).await);
    let origin = t.config.site_origin.clone().unwrap();
    assert_eq!(meta(&doc, "og:title").as_deref(), Some("Cats on a boat"));
    assert_eq!(meta(&doc, "og:description").as_deref(), Some("Two cats, one boat."));
    assert_eq!(meta(&doc, "og:type").as_deref(), Some("video.other"));
    assert_eq!(meta(&doc, "og:url"), Some(format!("{origin}/v/{id}")));
    let image = meta(&doc, "og:image").expect("a poster gives an image");
    assert_eq!(image, format!("{origin}/videos/{id}/poster"));
    assert_eq!(meta(&doc, "twitter:card").as_deref(), Some("summary_large_image"));
    assert_eq!(meta(&doc, "twitter:title").as_deref(), Some("Cats on a boat"));
    assert_eq!(meta(&doc, "twitter:description").as_deref(), Some("Two cats, one boat."));
    assert_eq!(title(&doc), "Cats on a boat — vidlet");
    assert_nothing_injected(&doc);
    // The image's URL answers a caller without a session.
    let poster = t.call(handler!(videos::get_poster), Req::get("/").param("id", &id).build()).await;
    assert_eq!(poster.status.as_u16(), 302, "{:?}", poster.body);

    // No poster: a small card, and no image.
    let id = seed(&t, Video::example("alice", VideoStatus::Ready, Privacy::Unlisted)).await;
    let doc = html(&video_page(&t, &id).await);
    assert_eq!(meta(&doc, "og:image"), None);
    assert_eq!(meta(&doc, "twitter:card").as_deref(), Some("summary"));
    assert_eq!(meta(&doc, "og:description").as_deref(), Some("A video by alice on vidlet."));
}

#[tokio::test]
async fn hidden_missing_and_malformed_videos_get_one_generic_page() {
    let t = TestApp::new().await;
    register(&t, "alice", "password1").await;
    let secret = |status, privacy| Video {
        name: "Secret plans".into(),
        description: "Nobody may know.".into(),
        poster_content_type: Some("image/jpeg".into()),
        ..Video::example("alice", status, privacy)
    };
    let private = seed(&t, secret(VideoStatus::Ready, Privacy::Private)).await;
    let pending = seed(&t, secret(VideoStatus::Pending, Privacy::Public)).await;
    let missing = Video::example("alice", VideoStatus::Ready, Privacy::Public).id;
    let home = t.call(handler!(web::site), Req::get("/").build()).await;
    let generic = html(&home);
    assert_eq!(meta(&generic, "og:title").as_deref(), Some("vidlet"));
    assert_eq!(meta(&generic, "og:image"), None);
    for id in [private.as_str(), pending.as_str(), missing.as_str(), "not-a-uuid", "%3Cscript%3E", r#""><b>"#] {
        let page = video_page(&t, id).await;
        assert_eq!(page.status.as_u16(), 200, "{id}");
        assert_eq!(page.raw, home.raw, "{id}: the generic page, byte for byte");
        assert_eq!(page.headers["etag"], home.headers["etag"], "{id}");
        let text = String::from_utf8(page.raw).unwrap();
        assert!(!text.contains("Secret") && !text.contains("Nobody") && !text.contains(id), "{id} leaks");
    }
}

#[tokio::test]
async fn hostile_titles_and_descriptions_are_escaped_and_read_back_intact() {
    let t = TestApp::new().await;
    register(&t, "mallory", "password1").await;
    for hostile in HOSTILE {
        let video = Video {
            name: hostile.to_string(),
            description: format!("{hostile} {hostile}"),
            ..Video::example("mallory", VideoStatus::Ready, Privacy::Public)
        };
        let id = seed(&t, video).await;
        let page = video_page(&t, &id).await;
        let doc = html(&page);
        assert_nothing_injected(&doc);
        assert_eq!(meta(&doc, "og:title").as_deref(), Some(*hostile), "round trip");
        assert_eq!(meta(&doc, "twitter:title").as_deref(), Some(*hostile));
        assert_eq!(meta(&doc, "og:description"), Some(format!("{hostile} {hostile}")));
        assert_eq!(title(&doc), format!("{hostile} — vidlet"));
        let text = String::from_utf8(page.raw.clone()).unwrap();
        assert!(!text.contains("<script>alert") && !text.contains("evil.example/x.js></script>"), "{text}");
    }
    // A hostile name in the path is no user: the generic page.
    let home = t.call(handler!(web::site), Req::get("/").build()).await;
    for name in [r#""><script>alert(1)</script>"#, "' onload='x'", "Ünï"] {
        assert_eq!(user_page(&t, name).await.raw, home.raw, "{name}");
    }
}

#[tokio::test]
async fn a_user_page_names_a_live_user_only() {
    let t = TestApp::new().await;
    let token = register(&t, "bob", "password1").await;
    let doc = html(&user_page(&t, "bob").await);
    assert_eq!(meta(&doc, "og:title").as_deref(), Some("bob"));
    assert_eq!(meta(&doc, "og:type").as_deref(), Some("profile"));
    assert_eq!(meta(&doc, "og:url"), Some(format!("{}/u/bob", t.config.site_origin.clone().unwrap())));
    assert_eq!(title(&doc), "bob — vidlet");

    let home = t.call(handler!(web::site), Req::get("/").build()).await;
    assert_eq!(user_page(&t, "nobody").await.raw, home.raw);
    let delete = Req::delete("/").param("username", "bob").bearer(&token).json(json!({"password": "password1"}));
    t.call(handler!(accounts::delete_user), delete.build()).await.assert_status(204);
    assert_eq!(user_page(&t, "bob").await.raw, home.raw, "a deleted user is no user");
}

#[tokio::test]
async fn head_answers_a_share_link_with_the_get_headers_and_no_body() {
    let t = TestApp::new().await;
    register(&t, "carol", "password1").await;
    let id = seed(&t, Video::example("carol", VideoStatus::Ready, Privacy::Public)).await;
    for (path, param) in [(format!("/v/{id}"), ("id", id.as_str())), ("/u/carol".to_owned(), ("username", "carol"))] {
        let get = t.call(handler!(web::site), Req::get(&path).param(param.0, param.1).build()).await;
        let head = t.call(handler!(web::site), Req::head(&path).param(param.0, param.1).build()).await;
        assert_eq!(head.status.as_u16(), 200, "{path}");
        assert!(head.raw.is_empty(), "HEAD {path} sent a body");
        assert_eq!(head.headers["content-length"], get.raw.len().to_string().as_str(), "{path}");
        for name in ["content-type", "etag", "cache-control", "content-security-policy"] {
            assert_eq!(head.headers.get(name), get.headers.get(name), "{path}: {name}");
        }
    }
}
