//! POST /videos/{id}/views: count a view the page reports, once per viewer in 6 hours.
use vidlet::domain::view::Clock;
use vidlet::handlers::media::CountView;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let count = CountView { sessions: db.clone(), views: db, config, clock: Clock::System };
    runtime::serve("count-view", count).await
}
