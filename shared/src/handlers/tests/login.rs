//! `POST /sessions` on fakes: the throttle's buckets, device tokens, and the
//! answers that must not differ.

use serde_json::{json, Value};

use super::fakes::Memory;
use super::{outcome, request};
use crate::config::Config;
use crate::domain::account::{hash_password, User, Username};
use crate::handlers::accounts::Login;
use crate::handlers::Handler;

fn login_handler(memory: &Memory, max_failures: u32) -> Login<Memory, Memory, Memory, Memory> {
    let config = Config { login_max_failures: max_failures, ..Config::default() };
    Login { users: memory.clone(), devices: memory.clone(), sessions: memory.clone(), throttle: memory.clone(), config }
}

fn with_user(name: &str, password: &str) -> Memory {
    let memory = Memory::default();
    let user = User::new(Username::parse(name).unwrap(), hash_password(password).unwrap(), 0);
    memory.users.lock().unwrap().insert(name.to_owned(), user);
    memory
}

fn attempt(name: &str, password: &str, device_token: Option<&str>) -> lambda_http::Request {
    let mut body = json!({"username": name, "password": password});
    if let Some(token) = device_token {
        body["device_token"] = json!(token);
    }
    request("POST", None, Some(body), None)
}

/// Logs in and returns the body (panics on anything but 201).
async fn log_in(login: &Login<Memory, Memory, Memory, Memory>, name: &str, device: Option<&str>) -> Value {
    let response = login.handle(attempt(name, "correct horse", device)).await.unwrap();
    assert_eq!(response.status(), 201);
    serde_json::from_slice(response.body().as_ref()).unwrap()
}

fn failures(memory: &Memory) -> u32 {
    memory.failures.lock().unwrap().values().sum()
}

#[tokio::test]
async fn the_right_password_gets_a_session_and_a_device_token_and_a_wrong_one_the_same_401_as_an_unknown_user() {
    let memory = with_user("alice", "correct horse");
    let login = login_handler(&memory, 10);
    let body = log_in(&login, "alice", None).await;
    assert!(body["session_id"].as_str().unwrap().starts_with("alice."));
    assert!(body["device_token"].as_str().unwrap().starts_with("alice."));
    assert_eq!(memory.devices.lock().unwrap().len(), 1);
    let wrong = login.handle(attempt("alice", "wrong horse", None)).await.unwrap_err();
    let unknown = login.handle(attempt("nobody", "wrong horse", None)).await.unwrap_err();
    assert_eq!((wrong.status().as_u16(), wrong.code()), (401, "002"));
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(memory.sessions.lock().unwrap().len(), 1, "no session for a failure");
}

#[tokio::test]
async fn a_strangers_guesses_lock_strangers_out_but_not_the_owners_device() {
    let memory = with_user("bob", "correct horse");
    let login = login_handler(&memory, 3);
    let device = log_in(&login, "bob", None).await["device_token"].as_str().unwrap().to_owned();
    for _ in 0..3 {
        assert_eq!(outcome(login.handle(attempt("bob", "wrong horse", None)).await), (401, Some("002")));
    }
    // Without a device token, even the right password waits for the window.
    match login.handle(attempt("bob", "correct horse", None)).await {
        Err(crate::ApiError::TooManyRequests { retry_after_secs }) => assert!((1..=900).contains(&retry_after_secs)),
        other => panic!("expected 429, got {:?}", outcome(other)),
    }
    // The owner's device is throttled only on its own failures.
    let again = log_in(&login, "bob", Some(&device)).await;
    assert_eq!(again["device_token"], device, "a known device keeps its token");
    for _ in 0..10 {
        login.handle(attempt("bob", "wrong horse", Some(&device))).await.unwrap_err();
    }
    let locked = login.handle(attempt("bob", "correct horse", Some(&device))).await;
    assert_eq!(outcome(locked), (429, Some("009")), "a device's own failures do count");
}

#[tokio::test]
async fn another_users_device_token_vouches_for_nothing() {
    let memory = with_user("carol", "correct horse");
    memory.users.lock().unwrap().insert(
        "mallory".into(),
        User::new(Username::parse("mallory").unwrap(), hash_password("correct horse").unwrap(), 0),
    );
    let login = login_handler(&memory, 2);
    let mallorys = log_in(&login, "mallory", None).await["device_token"].as_str().unwrap().to_owned();
    for _ in 0..2 {
        login.handle(attempt("carol", "wrong horse", Some(&mallorys))).await.unwrap_err();
    }
    assert_eq!(outcome(login.handle(attempt("carol", "wrong horse", Some(&mallorys))).await), (429, Some("009")));
}

#[tokio::test]
async fn a_success_takes_its_reservation_back_and_bad_bodies_count_nothing() {
    let memory = with_user("dave", "correct horse");
    let login = login_handler(&memory, 3);
    login.handle(attempt("dave", "wrong horse", None)).await.unwrap_err();
    assert_eq!(failures(&memory), 2, "one failure in the name's bucket and one in the address's");
    log_in(&login, "dave", None).await;
    assert_eq!(failures(&memory), 2, "the success counted nothing");
    let body = request("POST", None, Some(json!({"username": "dave"})), None);
    assert_eq!(outcome(login.handle(body).await), (400, Some("001")));
    assert_eq!(failures(&memory), 2);
}
