//! POST /videos/{id}/poster/complete: confirm the poster's upload and serve it.
use vidlet::handlers::posters::CompletePoster;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, POSTERS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let complete = CompletePoster { sessions: db.clone(), posters: db, objects: bucket.scoped(POSTERS), config };
    runtime::serve("complete-poster", complete).await
}
