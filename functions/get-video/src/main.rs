//! GET /videos/{id}: a video.
use vidlet::handlers::videos::GetVideo;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("get-video", GetVideo { sessions: db.clone(), videos: db }).await
}
