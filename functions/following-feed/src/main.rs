//! GET /feed/following: the newest public videos of whom you follow.
use vidlet::handlers::follows::FollowingFeed;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let feed = FollowingFeed { sessions: db.clone(), feed: db };
    runtime::serve("following-feed", feed).await
}
