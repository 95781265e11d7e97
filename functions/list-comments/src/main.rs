//! GET /videos/{id}/comments: a video's comments.
use vidlet::handlers::comments::list_comments;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("list-comments", |app, req| async move { list_comments(&app, req).await }).await
}
