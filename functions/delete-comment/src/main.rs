//! DELETE /videos/{id}/comments/{comment_id}: delete a comment.
use vidlet::handlers::comments::DeleteComment;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("delete-comment", DeleteComment { sessions: db.clone(), comments: db }).await
}
