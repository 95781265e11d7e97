//! Register, login, logout, /me and profiles, and the error table's rows.

use vidlet::config::Config;
use vidlet::ports::*;
use vidlet_tests::{handler, json, Req, TestApp};

pub async fn register(t: &TestApp, username: &str, password: &str) -> String {
    let res = t
        .call(
            handler!(accounts::register),
            Req::post("/users").json(json!({"username": username, "password": password})).build(),
        )
        .await;
    res.assert_status(201)["session_id"].as_str().expect("session_id").to_owned()
}

#[tokio::test]
async fn register_login_me_logout_round_trip() {
    let t = TestApp::new().await;
    let res = t
        .call(
            handler!(accounts::register),
            Req::post("/users").json(json!({"username": "Alice", "password": "correct horse"})).build(),
        )
        .await;
    let body = res.assert_status(201);
    assert_eq!(body["user"]["username"], "alice", "names are lowercased");
    assert!(body["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["session_id"].as_str().unwrap().len(), "alice.".len() + 43);
    assert_eq!(body["device_token"].as_str().unwrap().len(), "alice.".len() + 43);

    let login = t
        .call(
            handler!(accounts::login),
            Req::post("/sessions").json(json!({"username": "alice", "password": "correct horse"})).build(),
        )
        .await;
    let token = login.assert_status(201)["session_id"].as_str().unwrap().to_owned();

    let me = t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await;
    assert_eq!(me.assert_status(200)["username"], "alice");
    // The original clients' header works too.
    let me = t.call(handler!(accounts::me), Req::get("/me").header("x-session-id", &token).build()).await;
    assert_eq!(me.assert_status(200)["username"], "alice");

    let profile =
        t.call(handler!(accounts::get_user), Req::get("/users/alice").param("username", "alice").build()).await;
    assert_eq!(profile.assert_status(200)["username"], "alice");
    assert!(profile.body.get("password_hash").is_none());

    let out = t.call(handler!(accounts::logout), Req::delete("/sessions/current").bearer(&token).build()).await;
    out.assert_status(204);
    let me = t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await;
    me.assert_error(401, "002");
    // The session is gone from the table, not merely flagged.
    let (alice, hash) = vidlet::domain::account::parse_token(&token).unwrap();
    assert!(t.db.get_session(&alice, &hash).await.unwrap().0.is_none());
}

#[tokio::test]
async fn a_taken_name_is_a_conflict() {
    let t = TestApp::new().await;
    register(&t, "bob", "password1").await;
    let res = t
        .call(
            handler!(accounts::register),
            Req::post("/users").json(json!({"username": "BOB", "password": "password2"})).build(),
        )
        .await;
    res.assert_error(409, "006");
}

#[tokio::test]
async fn concurrent_registrations_of_one_name_give_exactly_one_201() {
    let t = std::sync::Arc::new(TestApp::new().await);
    let attempts = (0..8).map(|i| {
        let t = t.clone();
        tokio::spawn(async move {
            let req =
                Req::post("/users").json(json!({"username": "racer", "password": format!("password{i}")})).build();
            t.call(handler!(accounts::register), req).await.status.as_u16()
        })
    });
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 7, "{statuses:?}");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_401() {
    let t = TestApp::new().await;
    register(&t, "carol", "password1").await;
    let wrong = t
        .call(
            handler!(accounts::login),
            Req::post("/sessions").json(json!({"username": "carol", "password": "password2"})).build(),
        )
        .await;
    wrong.assert_error(401, "002");
    let unknown = t
        .call(
            handler!(accounts::login),
            Req::post("/sessions").json(json!({"username": "nobody", "password": "password2"})).build(),
        )
        .await;
    unknown.assert_error(401, "002");
    assert_eq!(wrong.body, unknown.body);
}

#[tokio::test]
async fn failed_logins_are_throttled_per_username() {
    let config = Config { login_max_failures: 3, ..Config::default() };
    let t = TestApp::with_config(config).await;
    register(&t, "dave", "password1").await;
    let login =
        |password: &'static str| Req::post("/sessions").json(json!({"username": "dave", "password": password})).build();
    for _ in 0..3 {
        t.call(handler!(accounts::login), login("wrong-password")).await.assert_error(401, "002");
    }
    // Now even the right password is refused until the window passes.
    let throttled = t.call(handler!(accounts::login), login("password1")).await;
    throttled.assert_error(429, "009");
    let retry_after: u64 = throttled.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "retry-after {retry_after}");
    // Another user is not affected.
    register(&t, "erin", "password1").await;
    let other = Req::post("/sessions").json(json!({"username": "erin", "password": "password1"})).build();
    t.call(handler!(accounts::login), other).await.assert_status(201);
}

#[tokio::test]
async fn a_successful_login_counts_no_failure() {
    let config = Config { login_max_failures: 3, ..Config::default() };
    let t = TestApp::with_config(config).await;
    register(&t, "fay", "password1").await;
    let login =
        |password: &'static str| Req::post("/sessions").json(json!({"username": "fay", "password": password})).build();
    for _ in 0..2 {
        t.call(handler!(accounts::login), login("wrong-password")).await.assert_error(401, "002");
    }
    for _ in 0..5 {
        t.call(handler!(accounts::login), login("password1")).await.assert_status(201);
    }
    t.call(handler!(accounts::login), login("wrong-password")).await.assert_error(401, "002");
    t.call(handler!(accounts::login), login("password1")).await.assert_error(429, "009");
}

#[tokio::test]
async fn expired_sessions_are_refused_even_before_ttl_deletes_them() {
    let config = Config { session_ttl_secs: -1, ..Config::default() };
    let t = TestApp::with_config(config).await;
    let token = register(&t, "gina", "password1").await;
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_error(401, "002");
}

#[tokio::test]
async fn bad_bodies_get_400_naming_the_field() {
    let t = TestApp::new().await;
    let cases = [
        (b"{not json".to_vec(), "JSON"),
        (br#"{"username": 5, "password": "password1"}"#.to_vec(), "username"),
        (br#"{"username": "henry"}"#.to_vec(), "password"),
        (br#"{"username": "henry", "password": "password1", "admin": true}"#.to_vec(), "admin"),
        (br#"{"username": "h", "password": "password1"}"#.to_vec(), "username"),
        (br#"{"username": "henry", "password": "short"}"#.to_vec(), "password"),
        (br#"{"username": "hen\u0000ry", "password": "password1"}"#.to_vec(), "username"),
        (b"".to_vec(), "JSON"),
    ];
    for (body, field) in cases {
        let res = t.call(handler!(accounts::register), Req::post("/users").raw_body(body.clone()).build()).await;
        res.assert_error(400, "001");
        let message = res.body["error"].as_str().unwrap();
        assert!(
            message.contains(field),
            "{:?}: message {message:?} should name {field}",
            String::from_utf8_lossy(&body)
        );
    }
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let t = TestApp::new().await;
    let big = json!({"username": "ivan", "password": "x".repeat(70 * 1024)});
    let res = t.call(handler!(accounts::register), Req::post("/users").json(big).build()).await;
    res.assert_error(413, "008");
}

#[tokio::test]
async fn missing_and_unknown_sessions_are_401() {
    let t = TestApp::new().await;
    t.call(handler!(accounts::me), Req::get("/me").build()).await.assert_error(401, "002");
    t.call(handler!(accounts::me), Req::get("/me").bearer("not-a-session").build()).await.assert_error(401, "002");
    t.call(handler!(accounts::logout), Req::delete("/sessions/current").build()).await.assert_error(401, "002");
    // A header naming a user grants nothing.
    let smuggled = Req::get("/me").header("x-user-name", "alice").build();
    t.call(handler!(accounts::me), smuggled).await.assert_error(401, "002");
}

#[tokio::test]
async fn unknown_profiles_are_404() {
    let t = TestApp::new().await;
    let res = t.call(handler!(accounts::get_user), Req::get("/users/nobody").param("username", "nobody").build()).await;
    res.assert_error(404, "005");
    let res = t.call(handler!(accounts::get_user), Req::get("/users/..").param("username", "..").build()).await;
    res.assert_error(404, "005");
}

#[tokio::test]
async fn unrouted_requests_get_404_or_405_in_the_error_model() {
    let t = TestApp::new().await;
    let res = t.call(handler!(fallback::fallback), Req::get("/nowhere").build()).await;
    res.assert_error(404, "005");
    let res = t.call(handler!(fallback::fallback), Req::new("PUT", "/users").build()).await;
    res.assert_error(405, "012");
    assert_eq!(res.headers["allow"], "POST");
}

#[tokio::test]
async fn responses_carry_security_headers() {
    let t = TestApp::new().await;
    let res = t.call(handler!(accounts::me), Req::get("/me").build()).await;
    assert_eq!(res.headers["x-content-type-options"], "nosniff");
    assert_eq!(res.headers["content-type"], "application/json");
    assert!(res.headers.contains_key("referrer-policy"));
}

#[tokio::test]
async fn a_route_wired_without_its_path_parameter_is_a_500_in_the_error_model() {
    // A deployment fault (the template's path lacks {username}): 004, not a panic.
    let t = TestApp::new().await;
    let res = t.call(handler!(accounts::get_user), Req::get("/users/alice").build()).await;
    res.assert_error(500, "004");
    assert!(!res.body["error"].as_str().unwrap().contains("username"), "internal details stay in the logs");
}

#[tokio::test]
async fn a_session_in_use_is_extended_once_per_half_lifetime_and_outlives_its_first_expiry() {
    // Whole seconds: a 6 s lifetime is extended when under 3 s are left.
    let config = Config { session_ttl_secs: 6, ..Config::default() };
    let t = TestApp::with_config(config).await;
    let token = register(&t, "kim", "password1").await;
    let (kim, hash) = vidlet::domain::account::parse_token(&token).unwrap();
    let expiry = || async { t.db.get_session(&kim, &hash).await.unwrap().0.unwrap().expires_at };
    let first = expiry().await;
    // In the first half of its life a read writes nothing.
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_status(200);
    assert_eq!(expiry().await, first);
    // In the second half it gets a whole lifetime again, and once only.
    tokio::time::sleep(std::time::Duration::from_millis(4_000)).await;
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_status(200);
    let extended = expiry().await;
    assert!(extended > first, "{extended} > {first}");
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_status(200);
    assert_eq!(expiry().await, extended);
    // Past the first expiry, the session still works.
    tokio::time::sleep(std::time::Duration::from_millis(2_200)).await;
    assert!(vidlet::domain::now_epoch() >= first);
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_status(200);
    // Unused for a whole lifetime, it ends.
    tokio::time::sleep(std::time::Duration::from_millis(6_200)).await;
    t.call(handler!(accounts::me), Req::get("/me").bearer(&token).build()).await.assert_error(401, "002");
}

#[tokio::test]
async fn keep_me_signed_in_gives_a_thirty_day_session() {
    let t = TestApp::new().await;
    register(&t, "lee", "password1").await;
    let login = |remember: bool| {
        Req::post("/sessions").json(json!({"username": "lee", "password": "password1", "remember": remember})).build()
    };
    let expires = |body: &serde_json::Value| {
        let at = body["expires_at"].as_str().unwrap();
        chrono::DateTime::parse_from_rfc3339(at).unwrap().timestamp() - vidlet::domain::now_epoch()
    };
    let short = t.call(handler!(accounts::login), login(false)).await;
    assert!((1790..=1800).contains(&expires(short.assert_status(201))));
    let long = t.call(handler!(accounts::login), login(true)).await;
    assert!((30 * 86_400 - 10..=30 * 86_400).contains(&expires(long.assert_status(201))));
}
