//! Scheduled (EventBridge, every minute): the deletion sweep.
use vidlet::handlers::sweep::Sweep;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::{Bucket, MEDIA, VIDEOS};
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let bucket = Bucket::from_env(&config);
    let sweep = Sweep {
        pending: db.clone(),
        queue: db.clone(),
        uploads: bucket.scoped(VIDEOS),
        objects: bucket.scoped(MEDIA),
        comments: db.clone(),
        accounts: db,
        config,
    };
    runtime::serve_sweep(sweep).await
}
