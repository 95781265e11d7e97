//! Runs a handler on the Lambda runtime: logging, metrics, error mapping and headers.
//! Run with `--access`, a function prints what its handler may touch and exits.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use lambda_http::{service_fn, Body, Request, RequestExt, Response};
use lambda_runtime::LambdaEvent;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::access::{describe, Access};
use crate::error::ApiResult;
use crate::handlers::sweep::{AccountStore, Sweep};
use crate::handlers::transcode_events::{JobEvent, TranscodeEvents};
use crate::handlers::Handler;
use crate::http_io::{add_security_headers, without_body_for_head};
use crate::metrics;
use crate::ports::{
    CommentPurger, DeletionQueue, ObjectRemover, PendingExpirer, RecordQueuer, RenditionRecorder, UploadAborter,
    UploadLister,
};

/// Turns a handler's result into the response (to HEAD, without its body), and
/// logs one line per request: function, method, route, status, latency and
/// request id (never the body).
/// A 5xx's cause is logged here, once.
pub async fn respond<H: Handler>(function: &'static str, handler: &H, req: Request) -> Response<Body> {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .request_context_ref()
        .and_then(|ctx| match ctx {
            lambda_http::request::RequestContext::ApiGatewayV2(ctx) => ctx.route_key.clone(),
            _ => None,
        })
        .unwrap_or_else(|| req.uri().path().to_owned());
    let request_id = req.lambda_context_ref().map(|ctx| ctx.request_id.clone()).unwrap_or_default();
    let mut response = match handler.handle(req).await {
        Ok(response) => response,
        Err(err) => {
            if err.status().is_server_error() {
                tracing::error!(function, %method, route, request_id, code = err.code(), cause = err.cause(), "request failed");
            }
            err.into_response()
        }
    };
    add_security_headers(&mut response);
    if method == Method::HEAD {
        without_body_for_head(&mut response);
    }
    tracing::info!(
        function,
        %method,
        route,
        status = response.status().as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1000.0,
        request_id,
        "request"
    );
    response
}

/// `--access`: print the access list as JSON and stop.
fn printed_access(access: &[Access]) -> bool {
    if !std::env::args().skip(1).any(|arg| arg == "--access") {
        return false;
    }
    println!("{}", serde_json::to_string(&describe(access)).expect("strings serialise"));
    true
}

/// The whole `main` of a route function once its handler is built: serve,
/// `AWS_LAMBDA_MAX_CONCURRENCY` invocations at a time (one when unset), and
/// write each invocation's metrics after its response.
pub async fn serve<H: Handler>(function: &'static str, handler: H) -> Result<(), lambda_http::Error> {
    if printed_access(&handler.access()) {
        return Ok(());
    }
    lambda_http::tracing::init_default_subscriber();
    metrics::init(function);
    let handler = Arc::new(handler);
    lambda_http::run_concurrent(service_fn(move |req: Request| {
        let handler = handler.clone();
        async move {
            let response = respond(function, handler.as_ref(), req).await;
            metrics::flush();
            Ok::<_, std::convert::Infallible>(response)
        }
    }))
    .await
}

/// An event function's `main` (no HTTP): `handle` runs once per event, metrics
/// are flushed after each, and a failure is logged as `failed` and fails the
/// invocation (so EventBridge or the scheduler retries it).
async fn serve_events<E, T, F, Fut>(
    function: &'static str,
    access: &[Access],
    failed: &'static str,
    handle: F,
) -> Result<(), lambda_runtime::Error>
where
    E: DeserializeOwned + Send + 'static,
    T: Serialize + Send + 'static,
    F: Fn(LambdaEvent<E>) -> Fut + Send + 'static,
    Fut: Future<Output = ApiResult<T>> + Send + 'static,
{
    if printed_access(access) {
        return Ok(());
    }
    lambda_runtime::tracing::init_default_subscriber();
    metrics::init(function);
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<E>| {
        // Boxed: the handler's future inline makes the function's future too deep to lay out.
        let outcome: Pin<Box<dyn Future<Output = ApiResult<T>> + Send>> = Box::pin(handle(event));
        async move {
            let outcome = outcome.await;
            metrics::flush();
            outcome.map_err(|err| {
                tracing::error!(cause = err.cause(), "{failed}");
                err.to_string()
            })
        }
    }))
    .await
}

/// The sweep function's `main`: one sweep per scheduled event, stopping a few
/// seconds before the invocation's deadline.
pub async fn serve_sweep<P, Q, A, O, C, U>(sweep: Sweep<P, Q, A, O, C, U>) -> Result<(), lambda_runtime::Error>
where
    P: PendingExpirer + 'static,
    Q: DeletionQueue + 'static,
    A: UploadLister + UploadAborter + 'static,
    O: ObjectRemover + 'static,
    C: CommentPurger + 'static,
    U: AccountStore + 'static,
{
    let access = sweep.access();
    let sweep = Arc::new(sweep);
    serve_events("sweep", &access, "sweep failed", move |event: LambdaEvent<serde_json::Value>| {
        let sweep = sweep.clone();
        async move {
            let remaining = event.context.deadline().duration_since(std::time::SystemTime::now()).unwrap_or_default();
            let budget = sweep_budget(remaining);
            tracing::info!(
                remaining_ms = remaining.as_millis() as u64,
                budget_ms = budget.as_millis() as u64,
                "sweep starting"
            );
            let summary = sweep.run(budget).await?;
            metrics::sweep_backlog(summary.backlog as u64);
            metrics::sweep_records_processed(summary.records_processed as u64);
            Ok(summary)
        }
    })
    .await
}

/// The `transcode-events` function's `main`: one job-state event per
/// invocation. A storage fault fails the invocation, so EventBridge retries it.
pub async fn serve_transcode_events<R, Q>(events: TranscodeEvents<R, Q>) -> Result<(), lambda_runtime::Error>
where
    R: RenditionRecorder + 'static,
    Q: RecordQueuer + 'static,
{
    let access = events.access();
    let events = Arc::new(events);
    serve_events("transcode-events", &access, "recording a job event failed", move |event: LambdaEvent<JobEvent>| {
        let events = events.clone();
        async move {
            let summary = events.handle(&event.payload).await?;
            tracing::info!(job_id = %summary.job_id, video_id = ?summary.video_id, result = summary.result, "job event");
            Ok(summary)
        }
    })
    .await
}

/// Stop 5 s before the deadline. An emulator that sends no usable deadline
/// gets the default Lambda timeout of the template (60 s) minus the margin.
fn sweep_budget(remaining: Duration) -> Duration {
    let margin = Duration::from_secs(5);
    if remaining > margin * 2 {
        remaining - margin
    } else {
        Duration::from_secs(55)
    }
}
