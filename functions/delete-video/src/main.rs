//! DELETE /videos/{id}: delete your video.
use vidlet::handlers::videos::DeleteVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("delete-video", DeleteVideo { sessions: db.clone(), remover: db }).await
}
