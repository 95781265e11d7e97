//! EventBridge ("MediaConvert Job State Change"): a job's ladder or failure, recorded on its video.
use vidlet::handlers::transcode_events::TranscodeEvents;
use vidlet::store::dynamo::Dynamo;
use vidlet::{runtime, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = Config::from_env();
    let db = Dynamo::from_env(&config);
    let events = TranscodeEvents { videos: db.clone(), queue: db, config };
    runtime::serve_transcode_events(events).await
}
