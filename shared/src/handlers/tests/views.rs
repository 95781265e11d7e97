//! `POST /videos/{id}/views` on fakes: who the viewer is, the window, and 404
//! for a video the caller may not see.

use std::collections::HashMap;

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

use super::fakes::Memory;
use super::outcome;
use super::videos::video;
use crate::config::Config;
use crate::domain::video::{Privacy, VideoStatus};
use crate::domain::view::{Clock, VIEW_WINDOW_SECS};
use crate::handlers::media::CountView;
use crate::handlers::Handler;

const NOW: i64 = 1_800_000_000;

fn count_view(memory: &Memory, now: i64) -> CountView<Memory, Memory> {
    CountView { sessions: memory.clone(), views: memory.clone(), config: Config::default(), clock: Clock::Fixed(now) }
}

/// A report as API Gateway passes it: the source address in the request context.
fn report(id: &str, token: Option<&str>, ip: &str, agent: &str) -> Request {
    let mut builder = http::Request::builder().method("POST").uri("http://localhost/").header("user-agent", agent);
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.http.source_ip = Some(ip.to_owned());
    builder
        .body(lambda_http::Body::Empty)
        .unwrap()
        .with_path_parameters(HashMap::from([("id".to_owned(), id.to_owned())]))
        .with_request_context(RequestContext::ApiGatewayV2(context))
}

fn views(memory: &Memory, id: &str) -> u64 {
    memory.videos.lock().unwrap()[id].views
}

#[tokio::test]
async fn one_viewer_counts_once_per_window_and_every_report_answers_204() {
    let memory = Memory::default();
    let v = video("alice", VideoStatus::Ready, Privacy::Public);
    memory.videos.lock().unwrap().insert(v.id.clone(), v.clone());
    let handler = count_view(&memory, NOW);
    for _ in 0..5 {
        assert_eq!(outcome(handler.handle(report(&v.id, None, "192.0.2.1", "Firefox")).await), (204, None));
    }
    assert_eq!(views(&memory, &v.id), 1);
    // Another address, or another browser on the same one: another viewer.
    handler.handle(report(&v.id, None, "192.0.2.2", "Firefox")).await.unwrap();
    handler.handle(report(&v.id, None, "192.0.2.1", "Chrome")).await.unwrap();
    assert_eq!(views(&memory, &v.id), 3);
    // A signed-in user is one viewer from any address.
    let bob = memory.sign_in("bob");
    handler.handle(report(&v.id, Some(&bob), "192.0.2.1", "Firefox")).await.unwrap();
    handler.handle(report(&v.id, Some(&bob), "198.51.100.7", "Safari")).await.unwrap();
    assert_eq!(views(&memory, &v.id), 4);
    // The window: still one view just before it ends, a new one once it has.
    let almost = count_view(&memory, NOW + VIEW_WINDOW_SECS - 1);
    almost.handle(report(&v.id, None, "192.0.2.1", "Firefox")).await.unwrap();
    assert_eq!(views(&memory, &v.id), 4);
    let later = count_view(&memory, NOW + VIEW_WINDOW_SECS);
    later.handle(report(&v.id, None, "192.0.2.1", "Firefox")).await.unwrap();
    assert_eq!(views(&memory, &v.id), 5);
}

#[tokio::test]
async fn a_video_the_caller_may_not_see_is_404_and_counts_nothing() {
    let memory = Memory::default();
    let private = video("alice", VideoStatus::Ready, Privacy::Private);
    memory.videos.lock().unwrap().insert(private.id.clone(), private.clone());
    let handler = count_view(&memory, NOW);
    let stranger = memory.sign_in("bob");
    let by_stranger = handler.handle(report(&private.id, Some(&stranger), "192.0.2.1", "Firefox")).await;
    assert_eq!(outcome(by_stranger), (404, Some("005")));
    assert_eq!(outcome(handler.handle(report(&private.id, None, "192.0.2.1", "Firefox")).await), (404, Some("005")));
    assert_eq!(views(&memory, &private.id), 0);
    assert_eq!(outcome(handler.handle(report("not-a-uuid", None, "192.0.2.1", "Firefox")).await), (404, Some("005")));
    let forged = handler.handle(report(&private.id, Some("forged"), "192.0.2.1", "Firefox")).await;
    assert_eq!(outcome(forged), (401, Some("002")));
    let owner = memory.sign_in("alice");
    handler.handle(report(&private.id, Some(&owner), "192.0.2.1", "Firefox")).await.unwrap();
    assert_eq!(views(&memory, &private.id), 1);
}
