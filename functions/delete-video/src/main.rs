//! DELETE /videos/{id}: delete your video.
use vidlet::handlers::videos::delete_video;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("delete-video", |app, req| async move { delete_video(&app, req).await }).await
}
