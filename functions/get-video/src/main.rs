//! GET /videos/{id}: a video.
use vidlet::handlers::videos::get_video;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("get-video", |app, req| async move { get_video(&app, req).await }).await
}
