//! POST /videos/{id}/complete: verify the upload and publish.
use vidlet::handlers::videos::complete_video;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("complete-video", |app, req| async move { complete_video(&app, req).await }).await
}
