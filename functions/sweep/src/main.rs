//! Scheduled (EventBridge, every minute): the deletion sweep.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    vidlet::runtime::serve_sweep().await
}
