//! GET /videos/{id}/poster: redirect to the poster.
use vidlet::handlers::posters::GetPoster;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, POSTERS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let get = GetPoster { sessions: db.clone(), videos: db, download_urls: bucket.scoped(POSTERS), config };
    runtime::serve("get-poster", get).await
}
