//! GET /me/following: whom you follow, a page at a time.
use vidlet::handlers::follows::ListFollowing;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let list = ListFollowing { sessions: db.clone(), follows: db };
    runtime::serve("list-following", list).await
}
