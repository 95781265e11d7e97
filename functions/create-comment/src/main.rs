//! POST /videos/{id}/comments: comment on a video.
use vidlet::handlers::comments::CreateComment;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("create-comment", CreateComment { sessions: db.clone(), comments: db }).await
}
