//! GET /users/{username}/videos: a user's videos.
use vidlet::handlers::videos::list_user_videos;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("list-user-videos", |app, req| async move { list_user_videos(&app, req).await }).await
}
