//! PUT /users/{username}/follow: follow a user (idempotent).
use vidlet::handlers::follows::FollowUser;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let follow = FollowUser { sessions: db.clone(), follows: db, config };
    runtime::serve("follow-user", follow).await
}
