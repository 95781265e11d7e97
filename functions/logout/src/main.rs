//! DELETE /sessions/current: log out.
use vidlet::handlers::accounts::Logout;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("logout", Logout { sessions: db }).await
}
