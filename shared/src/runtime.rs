//! Runs a handler on the Lambda runtime: logging, error mapping and headers.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use lambda_http::{service_fn, Body, Request, RequestExt, Response};

use crate::app::App;
use crate::error::ApiResult;
use crate::http_io::add_security_headers;

/// Turns a handler's result into the response, and logs one line per request:
/// function, method, route, status, latency and request id. Never the body.
pub async fn respond<F, Fut>(function: &'static str, app: Arc<App>, req: Request, handler: F) -> Response<Body>
where
    F: FnOnce(Arc<App>, Request) -> Fut,
    Fut: Future<Output = ApiResult<Response<Body>>>,
{
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
    let mut response = handler(app, req).await.unwrap_or_else(|err| err.into_response());
    add_security_headers(&mut response);
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

/// The whole `main` of a route function: build the app once, then serve,
/// `AWS_LAMBDA_MAX_CONCURRENCY` invocations at a time (one when unset).
pub async fn serve<F, Fut>(function: &'static str, handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(Arc<App>, Request) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = ApiResult<Response<Body>>> + Send,
{
    crate::telemetry::init();
    let app = App::from_env().await;
    lambda_http::run_concurrent(service_fn(move |req: Request| {
        let app = app.clone();
        async move { Ok::<_, std::convert::Infallible>(respond(function, app, req, handler).await) }
    }))
    .await
}

/// The sweep function's `main`: one sweep per scheduled event, stopping a few
/// seconds before the invocation's deadline.
pub async fn serve_sweep() -> Result<(), lambda_runtime::Error> {
    use lambda_runtime::{service_fn, LambdaEvent};
    crate::telemetry::init();
    let app = App::from_env().await;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
        let app = app.clone();
        async move {
            let remaining = event
                .context
                .deadline()
                .duration_since(std::time::SystemTime::now())
                .unwrap_or_default();
            let budget = sweep_budget(remaining);
            tracing::info!(remaining_ms = remaining.as_millis() as u64, budget_ms = budget.as_millis() as u64, "sweep starting");
            crate::handlers::sweep::sweep(&app, budget).await.map_err(|err| err.to_string())
        }
    }))
    .await
}

/// Stop 5 s before the deadline. An emulator that sends no usable deadline
/// gets the default Lambda timeout of the template (60 s) minus the margin.
fn sweep_budget(remaining: std::time::Duration) -> std::time::Duration {
    use std::time::Duration;
    let margin = Duration::from_secs(5);
    if remaining > margin * 2 { remaining - margin } else { Duration::from_secs(55) }
}
