//! POST /videos/{id}/comments: comment on a video.
use vidlet::handlers::comments::create_comment;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("create-comment", |app, req| async move { create_comment(&app, req).await }).await
}
