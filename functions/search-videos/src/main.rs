//! GET /search?q=: ready, public videos whose words start with each query word.
use vidlet::handlers::search::SearchVideos;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("search-videos", SearchVideos { search: db }).await
}
