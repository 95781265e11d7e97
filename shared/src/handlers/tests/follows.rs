//! Follow and unfollow on fakes: what reaches storage (never a follow of
//! yourself or of a name nobody can hold), and how each outcome answers.

use std::sync::Mutex;

use lambda_http::{Request, RequestExt};

use super::fakes::Memory;
use super::{outcome, request};
use crate::access::Access;
use crate::config::Config;
use crate::error::ApiResult;
use crate::handlers::follows::{FollowUser, UnfollowUser};
use crate::handlers::Handler;
use crate::ports::{FollowOutcome, Follower, Unfollower};

/// Answers every call with the outcome it is given, and records the calls.
#[derive(Default)]
struct Scripted {
    answer: Mutex<Vec<FollowOutcome>>,
    calls: Mutex<Vec<(String, String, Option<u32>)>>,
}

impl Scripted {
    fn answering(outcome: FollowOutcome) -> Self {
        Scripted { answer: Mutex::new(vec![outcome]), ..Default::default() }
    }
    fn next(&self) -> FollowOutcome {
        self.answer.lock().unwrap().pop().expect("one call scripted")
    }
}

impl Follower for Scripted {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn follow(&self, follower: &str, followee: &str, _now: i64, max: u32) -> ApiResult<FollowOutcome> {
        self.calls.lock().unwrap().push((follower.into(), followee.into(), Some(max)));
        Ok(self.next())
    }
}

impl Unfollower for Scripted {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn unfollow(&self, follower: &str, followee: &str) -> ApiResult<FollowOutcome> {
        self.calls.lock().unwrap().push((follower.into(), followee.into(), None));
        Ok(self.next())
    }
}

fn to(method: &str, token: Option<&str>, username: &str) -> Request {
    let params = std::collections::HashMap::from([("username".to_owned(), username.to_owned())]);
    request(method, token, None, None).with_path_parameters(params)
}

#[tokio::test]
async fn each_outcome_answers_as_the_error_model_says() {
    let memory = Memory::default();
    let bob = memory.sign_in("bob");
    for (answer, expected) in [
        (FollowOutcome::Changed, (204, None)),
        (FollowOutcome::Unchanged, (204, None)),
        (FollowOutcome::NotFound, (404, Some("005"))),
        (FollowOutcome::LimitReached, (409, Some("006"))),
    ] {
        let follow =
            FollowUser { sessions: memory.clone(), follows: Scripted::answering(answer), config: Config::default() };
        assert_eq!(outcome(follow.handle(to("PUT", Some(&bob), "Alice")).await), expected);
        let calls = follow.follows.calls.lock().unwrap().clone();
        assert_eq!(calls, [("bob".to_owned(), "alice".to_owned(), Some(1000))], "lowercased, with the cap");
    }
    let unfollow = UnfollowUser { sessions: memory.clone(), follows: Scripted::answering(FollowOutcome::Unchanged) };
    assert_eq!(outcome(unfollow.handle(to("DELETE", Some(&bob), "alice")).await), (204, None));
}

#[tokio::test]
async fn yourself_a_bad_name_or_no_session_never_reach_storage() {
    let memory = Memory::default();
    let bob = memory.sign_in("bob");
    let follow = FollowUser { sessions: memory.clone(), follows: Scripted::default(), config: Config::default() };
    let unfollow = UnfollowUser { sessions: memory.clone(), follows: Scripted::default() };
    for (name, expected) in [("bob", (400, Some("001"))), ("BOB", (400, Some("001"))), ("no way", (404, Some("005")))] {
        assert_eq!(outcome(follow.handle(to("PUT", Some(&bob), name)).await), expected, "{name}");
        assert_eq!(outcome(unfollow.handle(to("DELETE", Some(&bob), name)).await), expected, "{name}");
    }
    assert_eq!(outcome(follow.handle(to("PUT", None, "alice")).await), (401, Some("002")));
    assert_eq!(outcome(unfollow.handle(to("DELETE", None, "alice")).await), (401, Some("002")));
    assert!(follow.follows.calls.lock().unwrap().is_empty() && unfollow.follows.calls.lock().unwrap().is_empty());
}
