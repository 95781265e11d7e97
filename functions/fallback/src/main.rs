//! Every unrouted request: 404, or 405 on a known path.
use vidlet::handlers::fallback::fallback;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("fallback", |app, req| async move { fallback(&app, req).await }).await
}
