//! POST /videos/{id}/poster: a presigned upload for the poster.
use vidlet::handlers::posters::CreatePoster;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, POSTERS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let create = CreatePoster { sessions: db.clone(), posters: db, upload_urls: bucket.scoped(POSTERS), config };
    runtime::serve("create-poster", create).await
}
