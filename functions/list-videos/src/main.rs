//! GET /videos: the public feed.
use vidlet::handlers::videos::list_videos;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("list-videos", |app, req| async move { list_videos(&app, req).await }).await
}
