//! DELETE /videos/{id}/comments/{comment_id}: delete a comment.
use vidlet::handlers::comments::delete_comment;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    vidlet::runtime::serve("delete-comment", |app, req| async move { delete_comment(&app, req).await }).await
}
