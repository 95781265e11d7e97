//! The password-guess throttle: no stranger can lock an owner out of a device
//! that signed in before, parallel guesses cannot pass the limit, and the
//! counters stay well formed whatever races them.

use std::sync::Arc;

use aws_sdk_dynamodb::types::AttributeValue;
use vidlet::config::{Config, Table};
use vidlet_tests::{handler, json, Req, TestApp, TestResponse};

const STRANGER: &str = "198.51.100.7";
const OWNER_AT_HOME: &str = "203.0.113.5";

fn attempt(username: &str, password: &str, device_token: Option<&str>, address: &str) -> lambda_http::Request {
    let mut body = json!({"username": username, "password": password});
    if let Some(token) = device_token {
        body["device_token"] = json!(token);
    }
    Req::post("/sessions").json(body).source_ip(address).build()
}

/// Registers `username` and returns (session, device token).
async fn register(t: &TestApp, username: &str) -> (String, String) {
    let req = Req::post("/users").json(json!({"username": username, "password": "password1"})).build();
    let body = t.call(handler!(accounts::register), req).await.assert_status(201).clone();
    (body["session_id"].as_str().unwrap().to_owned(), body["device_token"].as_str().unwrap().to_owned())
}

fn statuses(responses: &[TestResponse]) -> Vec<u16> {
    responses.iter().map(|r| r.status.as_u16()).collect()
}

/// Every item of the throttle's table, as (failures, expires_at).
async fn counters(t: &TestApp) -> Vec<(Option<i64>, Option<i64>)> {
    let table = t.config.table_name(Table::LoginAttempts);
    let items =
        t.dynamodb.scan().table_name(table).consistent_read(true).send().await.unwrap().items.unwrap_or_default();
    let number = |item: &std::collections::HashMap<String, AttributeValue>, name: &str| {
        item.get(name).and_then(|v| v.as_n().ok()).map(|n| n.parse::<i64>().unwrap())
    };
    items.iter().map(|item| (number(item, "failures"), number(item, "expires_at"))).collect()
}

#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out_of_a_device_that_signed_in_before() {
    let t = TestApp::new().await;
    let (_, device) = register(&t, "olive").await;
    let mut answers = Vec::new();
    for _ in 0..12 {
        answers.push(t.call(handler!(accounts::login), attempt("olive", "guess-123", None, STRANGER)).await);
    }
    assert_eq!(statuses(&answers), [[401; 10].as_slice(), &[429, 429]].concat(), "ten guesses, then a wait");
    answers[11].assert_error(429, "009");
    // A new device of the owner's shares the name's bucket: it waits too...
    let new_device = t.call(handler!(accounts::login), attempt("olive", "password1", None, OWNER_AT_HOME)).await;
    new_device.assert_error(429, "009");
    // ...but the device that signed in before is not held up by a stranger.
    let known = t.call(handler!(accounts::login), attempt("olive", "password1", Some(&device), OWNER_AT_HOME)).await;
    assert_eq!(known.assert_status(201)["device_token"], device.as_str());
    // A device token is no way around the password.
    let guessed = t.call(handler!(accounts::login), attempt("olive", "guess-123", Some(&device), STRANGER)).await;
    guessed.assert_error(401, "002");
}

#[tokio::test]
async fn parallel_wrong_passwords_cannot_pass_the_limit() {
    let t = Arc::new(TestApp::new().await);
    register(&t, "pablo").await;
    let guesses: Vec<_> = (0..30)
        .map(|_| {
            let t = t.clone();
            tokio::spawn(async move {
                t.call(handler!(accounts::login), attempt("pablo", "guess-123", None, STRANGER)).await
            })
        })
        .collect();
    let mut counted = [0usize; 2];
    for guess in guesses {
        match guess.await.unwrap().status.as_u16() {
            401 => counted[0] += 1,
            429 => counted[1] += 1,
            other => panic!("a guess answered {other}"),
        }
    }
    assert_eq!(counted, [10, 20], "exactly the limit is checked, however many arrive at once");
}

#[tokio::test]
async fn the_counters_stay_well_formed_when_successes_and_failures_race() {
    let t = Arc::new(TestApp::new().await);
    register(&t, "quinn").await;
    // Four rounds stay within the limit of ten, reservations included.
    for _ in 0..4 {
        let tasks: Vec<_> = ["password1", "guess-123", "password1", "guess-456"]
            .into_iter()
            .map(|password| {
                let t = t.clone();
                tokio::spawn(async move {
                    t.call(handler!(accounts::login), attempt("quinn", password, None, STRANGER)).await
                })
            })
            .collect();
        for task in tasks {
            assert!([201, 401].contains(&task.await.unwrap().status.as_u16()));
        }
    }
    let counters = counters(&t).await;
    assert_eq!(counters.len(), 2, "one bucket for the name, one for the address: {counters:?}");
    for (failures, expires_at) in counters {
        assert_eq!(failures, Some(8), "the successes took their reservations back");
        assert!(expires_at.is_some_and(|at| at > vidlet::domain::now_epoch()));
    }
    // Every later login is answered, not a 500.
    t.call(handler!(accounts::login), attempt("quinn", "password1", None, STRANGER)).await.assert_status(201);
}

#[tokio::test]
async fn one_address_guessing_many_names_is_throttled_as_an_address() {
    let config = Config { login_max_failures_per_address: 5, ..Config::default() };
    let t = TestApp::with_config(config).await;
    for i in 0..5 {
        let name = format!("victim{i}");
        t.call(handler!(accounts::login), attempt(&name, "guess-123", None, STRANGER)).await.assert_error(401, "002");
    }
    t.call(handler!(accounts::login), attempt("victim9", "guess-123", None, STRANGER)).await.assert_error(429, "009");
    // The address comes from API Gateway's request context, not from a header.
    let spoofed = Req::post("/sessions")
        .json(json!({"username": "victim9", "password": "guess-123"}))
        .header("x-forwarded-for", OWNER_AT_HOME)
        .source_ip(STRANGER)
        .build();
    t.call(handler!(accounts::login), spoofed).await.assert_error(429, "009");
    let elsewhere = attempt("victim9", "guess-123", None, OWNER_AT_HOME);
    t.call(handler!(accounts::login), elsewhere).await.assert_error(401, "002");
}

#[tokio::test]
async fn a_stolen_session_cannot_guess_the_password_through_account_deletion() {
    let t = TestApp::new().await;
    let (session, _) = register(&t, "rosa").await;
    let delete = |password: &str| {
        Req::delete("/users/rosa")
            .param("username", "rosa")
            .bearer(&session)
            .json(json!({"password": password}))
            .source_ip(STRANGER)
            .build()
    };
    let mut answers = Vec::new();
    for _ in 0..15 {
        answers.push(t.call(handler!(accounts::delete_user), delete("guess-123")).await);
    }
    assert_eq!(statuses(&answers), [[401; 10].as_slice(), &[429; 5]].concat());
    t.call(handler!(accounts::delete_user), delete("password1")).await.assert_error(429, "009");
    t.call(handler!(accounts::me), Req::get("/me").bearer(&session).build()).await.assert_status(200);
}
