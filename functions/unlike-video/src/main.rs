//! DELETE /videos/{id}/like: take your like back (idempotent).
use vidlet::handlers::likes::UnlikeVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let unlike = UnlikeVideo { sessions: db.clone(), likes: db };
    runtime::serve("unlike-video", unlike).await
}
