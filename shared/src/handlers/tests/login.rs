//! `POST /sessions` on fakes: throttling and the answers that must not differ.

use serde_json::json;

use super::fakes::Memory;
use super::{outcome, request};
use crate::config::Config;
use crate::domain::account::{hash_password, User, Username};
use crate::handlers::accounts::Login;
use crate::handlers::Handler;

fn login_handler(memory: &Memory, max_failures: u32) -> Login<Memory, Memory, Memory> {
    let config = Config { login_max_failures: max_failures, ..Config::default() };
    Login { users: memory.clone(), sessions: memory.clone(), throttle: memory.clone(), config }
}

fn with_user(name: &str, password: &str) -> Memory {
    let memory = Memory::default();
    let user = User {
        username: Username::parse(name).unwrap(),
        password_hash: hash_password(password).unwrap(),
        created_at: 0,
        used_bytes: 0,
    };
    memory.users.lock().unwrap().insert(name.to_owned(), user);
    memory
}

fn attempt(name: &str, password: &str) -> lambda_http::Request {
    request("POST", None, Some(json!({"username": name, "password": password})), None)
}

#[tokio::test]
async fn the_right_password_gets_a_session_and_a_wrong_one_the_same_401_as_an_unknown_user() {
    let memory = with_user("alice", "correct horse");
    let login = login_handler(&memory, 10);
    assert_eq!(outcome(login.handle(attempt("alice", "correct horse")).await), (201, None));
    assert_eq!(memory.sessions.lock().unwrap().len(), 1);
    let wrong = login.handle(attempt("alice", "wrong horse")).await.unwrap_err();
    let unknown = login.handle(attempt("nobody", "wrong horse")).await.unwrap_err();
    assert_eq!((wrong.status().as_u16(), wrong.code()), (401, "002"));
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert_eq!(memory.sessions.lock().unwrap().len(), 1, "no session for a failure");
}

#[tokio::test]
async fn the_limit_of_failures_refuses_even_the_right_password_with_retry_after() {
    let memory = with_user("bob", "correct horse");
    let login = login_handler(&memory, 3);
    for _ in 0..3 {
        assert_eq!(outcome(login.handle(attempt("bob", "wrong horse")).await), (401, Some("002")));
    }
    match login.handle(attempt("bob", "correct horse")).await {
        Err(crate::ApiError::TooManyRequests { retry_after_secs }) => assert!((1..=900).contains(&retry_after_secs)),
        other => panic!("expected 429, got {:?}", outcome(other)),
    }
}

#[tokio::test]
async fn a_success_below_the_limit_clears_the_failures() {
    let memory = with_user("carol", "correct horse");
    let login = login_handler(&memory, 3);
    for _ in 0..2 {
        login.handle(attempt("carol", "wrong horse")).await.unwrap_err();
    }
    assert_eq!(outcome(login.handle(attempt("carol", "correct horse")).await), (201, None));
    assert!(memory.failures.lock().unwrap().is_empty());
}

#[tokio::test]
async fn bad_bodies_are_400_and_count_no_failure() {
    let memory = with_user("dave", "correct horse");
    let login = login_handler(&memory, 3);
    let body = request("POST", None, Some(json!({"username": "dave"})), None);
    assert_eq!(outcome(login.handle(body).await), (400, Some("001")));
    assert!(memory.failures.lock().unwrap().is_empty());
}
