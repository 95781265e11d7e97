//! GET /videos/{id}/comments: a video's comments.
use vidlet::handlers::comments::ListComments;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let list = ListComments { sessions: db.clone(), videos: db.clone(), comments: db };
    runtime::serve("list-comments", list).await
}
