//! POST /users: register and get a session.
use vidlet::handlers::accounts::Register;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    runtime::serve("register", Register { accounts: db, config }).await
}
