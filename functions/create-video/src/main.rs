//! POST /videos: create a video and get a presigned upload.
use vidlet::handlers::videos::create_video;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("create-video", |app, req| async move { create_video(&app, req).await }).await
}
