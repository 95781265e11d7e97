//! The site's page and assets: content types, caching and security headers.

use vidlet_tests::{handler, Req, TestApp};

#[tokio::test]
async fn the_page_is_served_with_a_strict_csp_and_no_inline_script() {
    let t = TestApp::new().await;
    let page = t.call(handler!(web::site), Req::get("/").build()).await;
    assert_eq!(page.status.as_u16(), 200);
    assert_eq!(page.headers["content-type"], "text/html; charset=utf-8");
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains(&t.config.s3_origin), "the bucket's origin is allowed: {csp}");
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    assert!(page.headers.contains_key("referrer-policy"));
    let html = String::from_utf8(page.raw.clone()).unwrap();
    // Every <script> has a src: nothing inline for the CSP to forbid.
    for tag in html.split("<script").skip(1) {
        assert!(tag.split('>').next().unwrap().contains("src="), "inline script in index.html");
    }
    assert!(!html.contains(" style=\""), "inline style in index.html");
}

/// The CSP's directives, each with its sources.
fn directives(csp: &str) -> std::collections::BTreeMap<&str, Vec<&str>> {
    csp.split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            Some((words.next()?, words.collect()))
        })
        .collect()
}

#[tokio::test]
async fn the_csp_allows_what_hls_playback_needs_and_no_more() {
    let t = TestApp::new().await;
    let page = t.call(handler!(web::site), Req::get("/").build()).await;
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    let d = directives(csp);
    let s3 = t.config.s3_origin.as_str();
    // Scripts (hls.js included) only from the site, and nothing inline or evaluated.
    assert_eq!(d["script-src"], ["'self'"], "{csp}");
    assert_eq!(d["style-src"], ["'self'"], "{csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    // hls.js: MSE plays a blob: URL; playlists and segments come from the site or the bucket.
    assert_eq!(d["media-src"], ["'self'", "blob:", s3], "{csp}");
    assert_eq!(d["connect-src"], ["'self'", s3], "{csp}");
    // It runs without its worker (a blob: script): no worker may start at all.
    assert_eq!(d["worker-src"], ["'none'"], "{csp}");
    assert_eq!(d["object-src"], ["'none'"], "{csp}");
    // Assets carry the same policy.
    let script = t.call(handler!(web::site), Req::get("/assets/hls.min.js").param("file", "hls.min.js").build()).await;
    assert_eq!(script.headers["content-security-policy"].to_str().unwrap(), csp);
}

#[tokio::test]
async fn the_player_and_the_vendored_hls_js_are_served_and_revalidated() {
    let t = TestApp::new().await;
    for file in ["player.js", "hls.min.js"] {
        let res = t.call(handler!(web::site), Req::get(&format!("/assets/{file}")).param("file", file).build()).await;
        assert_eq!(res.status.as_u16(), 200, "{file}");
        assert_eq!(res.headers["content-type"], "text/javascript; charset=utf-8", "{file}");
        assert_eq!(res.headers["cache-control"], "public, max-age=300, must-revalidate", "{file}");
        let etag = res.headers["etag"].to_str().unwrap().to_owned();
        let again = Req::get(&format!("/assets/{file}")).param("file", file).header("if-none-match", &etag).build();
        let again = t.call(handler!(web::site), again).await;
        assert_eq!(again.status.as_u16(), 304, "{file}");
        assert!(again.raw.is_empty(), "{file}: a 304 with a body");
    }
    let hls = t.call(handler!(web::site), Req::get("/assets/hls.min.js").param("file", "hls.min.js").build()).await;
    assert!(hls.raw == include_bytes!("../../../web/vendor/hls.min.js"), "hls.min.js is not served as committed");
    // Served by name only: the vendor folder is not a path of its own.
    let nested = t.call(handler!(web::site), Req::get("/assets/x").param("file", "vendor/hls.min.js").build()).await;
    nested.assert_error(404, "005");
}

#[tokio::test]
async fn assets_have_their_types_and_revalidate_with_etags() {
    let t = TestApp::new().await;
    for (file, content_type) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
    ] {
        let res = t.call(handler!(web::site), Req::get(&format!("/assets/{file}")).param("file", file).build()).await;
        assert_eq!(res.status.as_u16(), 200, "{file}");
        assert_eq!(res.headers["content-type"], content_type);
        let etag = res.headers["etag"].to_str().unwrap().to_owned();
        let again = Req::get(&format!("/assets/{file}")).param("file", file).header("if-none-match", &etag).build();
        assert_eq!(t.call(handler!(web::site), again).await.status.as_u16(), 304);
    }
    for missing in ["nope.js", "../Cargo.toml", "index.html/../app.js"] {
        let res = t.call(handler!(web::site), Req::get("/assets/x").param("file", missing).build()).await;
        res.assert_error(404, "005");
    }
}

#[tokio::test]
async fn head_on_the_page_and_assets_answers_the_get_headers_without_a_body() {
    let t = TestApp::new().await;
    for (path, file) in [("/", None), ("/assets/app.js", Some("app.js"))] {
        let req = |r: Req| match file {
            Some(file) => r.param("file", file),
            None => r,
        };
        let get = t.call(handler!(web::site), req(Req::get(path)).build()).await;
        let head = t.call(handler!(web::site), req(Req::head(path)).build()).await;
        assert_eq!(head.status.as_u16(), 200, "{path}");
        assert!(head.raw.is_empty(), "HEAD {path} sent a body");
        assert_eq!(head.headers["content-length"], get.raw.len().to_string().as_str(), "{path}");
        for name in ["content-type", "etag", "cache-control", "content-security-policy", "x-content-type-options"] {
            assert_eq!(head.headers.get(name), get.headers.get(name), "{path}: {name}");
        }
        // A conditional HEAD: 304 without a length, as GET's 304.
        let etag = get.headers["etag"].to_str().unwrap();
        let again = t.call(handler!(web::site), req(Req::head(path)).header("if-none-match", etag).build()).await;
        assert_eq!(again.status.as_u16(), 304, "{path}");
        assert!(again.raw.is_empty() && !again.headers.contains_key("content-length"), "{path}");
    }
}
