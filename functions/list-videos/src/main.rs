//! GET /videos: the public feed.
use vidlet::handlers::videos::ListVideos;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("list-videos", ListVideos { feed: db }).await
}
