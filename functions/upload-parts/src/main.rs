//! POST /videos/{id}/upload/parts: presigned UploadPart URLs for your pending upload.
use vidlet::handlers::uploads::UploadParts;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, VIDEOS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let parts = UploadParts { sessions: db.clone(), videos: db, part_urls: bucket.scoped(VIDEOS), config };
    runtime::serve("upload-parts", parts).await
}
