//! HEAD on every GET route: the GET's status and headers, the `Content-Length`
//! of the GET's body, and no body; through the handlers and through the route table.

use std::sync::Arc;

use vidlet::routes::ROUTES;
use vidlet_tests::{handler, http_client, http_front, json, Handler, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::videos::{create, upload};

/// HEAD answered as GET was, without the body. Headers that change from call to
/// call (a presigned `Location`) need only be present.
#[track_caller]
fn assert_head_of(get: &TestResponse, head: &TestResponse) {
    assert_eq!(head.status, get.status, "HEAD's status");
    assert!(head.raw.is_empty(), "HEAD sent a body of {} bytes", head.raw.len());
    assert!(!get.raw.is_empty() || get.status.as_u16() == 302, "GET sent a body");
    assert_eq!(head.headers["content-length"], get.raw.len().to_string().as_str(), "the length of GET's body");
    for (name, value) in &get.headers {
        match name.as_str() {
            "location" => assert!(head.headers.contains_key(name), "HEAD lacks {name}"),
            _ => assert_eq!(head.headers.get(name), Some(value), "HEAD's {name}"),
        }
    }
}

/// GET then HEAD of one request.
async fn get_and_head(t: &TestApp, handler: Handler, path: &str, build: impl Fn(Req) -> Req) -> TestResponse {
    let get = t.call(handler, build(Req::get(path)).build()).await;
    let head = t.call(handler, build(Req::head(path)).build()).await;
    assert_head_of(&get, &head);
    head
}

#[tokio::test]
async fn head_answers_the_get_of_the_api_routes_without_a_body() {
    let t = TestApp::new().await;
    let token = register(&t, "header", "correct horse").await;
    let pending = create(&t, &token, json!({"name": "p", "content_type": "video/mp4", "size": 1000})).await;
    let pending_id = pending["video"]["id"].as_str().unwrap().to_owned();
    let ready = upload(&t, &token, "clip.mp4", "video/mp4", "public").await;
    let ready_id = ready["id"].as_str().unwrap().to_owned();

    let me = get_and_head(&t, handler!(accounts::me), "/me", |r| r.bearer(&token)).await;
    assert_eq!(me.headers["content-type"], "application/json");
    get_and_head(&t, handler!(accounts::me), "/me", |r| r).await.assert_status(401);
    get_and_head(&t, handler!(accounts::get_user), "/users/header", |r| r.param("username", "header")).await;
    get_and_head(&t, handler!(accounts::get_user), "/users/nobody", |r| r.param("username", "nobody"))
        .await
        .assert_status(404);
    get_and_head(&t, handler!(videos::list_videos), "/videos", |r| r).await.assert_status(200);
    get_and_head(&t, handler!(videos::list_videos), "/videos", |r| r.query("limit", "0")).await.assert_status(400);
    let path = format!("/videos/{pending_id}");
    get_and_head(&t, handler!(videos::get_video), &path, |r| r.param("id", &pending_id).bearer(&token))
        .await
        .assert_status(200);
    get_and_head(&t, handler!(videos::get_video), &path, |r| r.param("id", &pending_id)).await.assert_status(404);
    let path = format!("/videos/{ready_id}/comments");
    get_and_head(&t, handler!(comments::list_comments), &path, |r| r.param("id", &ready_id)).await.assert_status(200);
    let path = format!("/videos/{pending_id}/upload");
    get_and_head(&t, handler!(uploads::get_upload), &path, |r| r.param("id", &pending_id).bearer(&token))
        .await
        .assert_status(200);

    // The redirect: its Location and an empty body's length.
    let path = format!("/videos/{ready_id}/stream");
    let head = get_and_head(&t, handler!(videos::stream_video), &path, |r| r.param("id", &ready_id)).await;
    assert_eq!(head.status.as_u16(), 302);
    assert_eq!(head.headers["content-length"], "0");
}

#[tokio::test]
async fn head_reaches_the_get_function_through_the_route_table() {
    let t = Arc::new(TestApp::new().await);
    let (base, server) = http_front::serve(t.clone()).await;
    let client = http_client();
    let nil = "00000000-0000-7000-8000-000000000000";
    for route in ROUTES.iter().filter(|r| r.method == "GET") {
        let path = route.path.replace("{id}", nil).replace("{username}", "nobody").replace("{file}", "app.js");
        let head = client.head(format!("{base}{path}")).send().await.unwrap();
        assert_ne!(head.status().as_u16(), 405, "HEAD {path} went to the fallback");
        let get = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(head.headers().get("content-type"), get.headers().get("content-type"), "HEAD {path}");
        let length = head.headers().get("content-length").map(|v| v.to_str().unwrap().to_owned());
        let body = get.bytes().await.unwrap();
        assert_eq!(length, Some(body.len().to_string()), "HEAD {path}: GET's length");
    }
    // The page itself, as a browser or a monitor asks for it.
    let page = client.head(format!("{base}/")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert!(page.bytes().await.unwrap().is_empty());
    // A wrong method lists HEAD among the path's methods.
    let put = client.put(format!("{base}/videos")).send().await.unwrap();
    assert_eq!(put.status().as_u16(), 405);
    assert_eq!(put.headers()["allow"], "POST, GET, HEAD");
    server.abort();
}
