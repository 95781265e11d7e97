//! PUT /videos/{id}/like: like a video you may see (idempotent).
use vidlet::handlers::likes::LikeVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let like = LikeVideo { sessions: db.clone(), likes: db };
    runtime::serve("like-video", like).await
}
