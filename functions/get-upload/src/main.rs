//! GET /videos/{id}/upload: the parts S3 holds of your pending upload, to resume it.
use vidlet::handlers::uploads::GetUpload;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, VIDEOS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let upload = GetUpload { sessions: db.clone(), videos: db, parts: bucket.scoped(VIDEOS) };
    runtime::serve("get-upload", upload).await
}
