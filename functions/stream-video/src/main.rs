//! GET /videos/{id}/stream: redirect to a presigned, range-capable GET.
use vidlet::handlers::videos::stream_video;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("stream-video", |app, req| async move { stream_video(&app, req).await }).await
}
