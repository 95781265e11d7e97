//! GET /users/{username}/videos: a user's videos.
use vidlet::handlers::videos::ListUserVideos;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("list-user-videos", ListUserVideos { sessions: db.clone(), videos: db }).await
}
