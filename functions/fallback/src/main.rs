//! Every unrouted request: 404, or 405 on a known path.
use vidlet::handlers::fallback::Fallback;
use vidlet::runtime;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    // No AWS client and no configuration.
    runtime::serve("fallback", Fallback).await
}
