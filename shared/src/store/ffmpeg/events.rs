//! The job's state changes as MediaConvert's EventBridge events, and where
//! they go: `transcode-events`' invoke endpoint (`cargo lambda watch`), or a
//! callback in this process (tests).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_types::body::SdkBody;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;

use crate::domain::ladder::{hls_prefix, master_key, rung_playlist};
use crate::handlers::transcode_events::{
    JobEvent, JobStateDetail, OutputDetail, OutputGroupDetail, VideoDetails, APP, APP_KEY, DETAIL_TYPE, VIDEO_ID_KEY,
};

use super::master::MadeRung;

/// The variable naming the invoke endpoint, e.g.
/// `http://127.0.0.1:9000/2015-03-31/functions/transcode-events/invocations`.
pub const EVENTS_URL_VAR: &str = "TRANSCODE_EVENTS_URL";
/// Attempts per event: the first invocation may wait for `cargo lambda watch` to build the function.
const ATTEMPTS: u32 = 4;
const INVOKE_TIME_LIMIT: Duration = Duration::from_secs(300);

/// This adapter's error codes (MediaConvert's own are in the same ranges).
pub mod codes {
    /// The original could not be fetched or read.
    pub const INPUT: i64 = 1010;
    /// ffmpeg failed, or made no usable rendition.
    pub const TRANSCODE: i64 = 1030;
    /// ffmpeg ran past the time limit.
    pub const TIME_LIMIT: i64 = 1040;
    /// The renditions could not be stored.
    pub const OUTPUT: i64 = 3450;
}

/// The result of one in-process delivery: the handler's summary, or why it failed.
pub type Delivery = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;

/// Where the events go.
#[derive(Clone)]
pub enum EventSink {
    /// POST to a Lambda invoke endpoint, as EventBridge invokes the function.
    Invoke { url: String },
    /// A call in this process.
    InProcess(Arc<dyn Fn(JobEvent) -> Delivery + Send + Sync>),
    /// Nowhere: each event is logged as lost.
    Unset,
}

impl EventSink {
    /// `TRANSCODE_EVENTS_URL`, when set.
    pub fn from_env() -> Self {
        match std::env::var(EVENTS_URL_VAR) {
            Ok(url) if !url.is_empty() => EventSink::Invoke { url },
            _ => EventSink::Unset,
        }
    }

    pub fn in_process<F, R>(deliver: F) -> Self
    where
        F: Fn(JobEvent) -> R + Send + Sync + 'static,
        R: Future<Output = Result<String, String>> + Send + 'static,
    {
        EventSink::InProcess(Arc::new(move |event| Box::pin(deliver(event))))
    }

    /// Delivers `event`, trying again a few times; a failure is logged, never returned.
    pub async fn deliver(&self, event: JobEvent) {
        let (job_id, status) = (event.detail.job_id.clone(), event.detail.status.clone());
        let outcome = match self {
            EventSink::Invoke { url } => invoke_with_retries(url, &event).await,
            EventSink::InProcess(deliver) => deliver(event).await,
            EventSink::Unset => Err(format!("{EVENTS_URL_VAR} is not set")),
        };
        match outcome {
            Ok(answer) => tracing::info!(%job_id, %status, %answer, "transcode event delivered"),
            Err(err) => tracing::error!(%job_id, %status, error = %err, "a transcode event was lost"),
        }
    }
}

async fn invoke_with_retries(url: &str, event: &JobEvent) -> Result<String, String> {
    let body = serde_json::to_vec(event).map_err(|err| err.to_string())?;
    let mut pause = Duration::from_secs(1);
    for attempt in 1..=ATTEMPTS {
        match tokio::time::timeout(INVOKE_TIME_LIMIT, invoke(url, body.clone())).await {
            Ok(Ok(answer)) => return Ok(answer),
            Ok(Err(err)) if attempt == ATTEMPTS => return Err(err),
            Err(_) if attempt == ATTEMPTS => return Err(format!("{url} did not answer")),
            Ok(Err(err)) => tracing::warn!(attempt, error = %err, "delivering a transcode event failed; trying again"),
            Err(_) => tracing::warn!(attempt, "delivering a transcode event timed out; trying again"),
        }
        tokio::time::sleep(pause).await;
        pause *= 3;
    }
    Err("no attempt".into())
}

/// One POST; the function's answer, or an error when it failed (a transport
/// error, an error status, or a function error as Lambda's Invoke reports it).
async fn invoke(url: &str, body: Vec<u8>) -> Result<String, String> {
    let client: Client<HttpConnector, SdkBody> =
        Client::builder(hyper_util::rt::TokioExecutor::new()).build(HttpConnector::new());
    let request = http::Request::post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(SdkBody::from(body))
        .map_err(|err| format!("{url}: {err}"))?;
    let response = client.request(request).await.map_err(|err| format!("POST {url}: {err}"))?;
    let (status, function_error) = (response.status(), response.headers().contains_key("x-amz-function-error"));
    let answer = ByteStream::new(SdkBody::from_body_1_x(response.into_body())).collect().await;
    let answer =
        String::from_utf8_lossy(&answer.map_err(|err| format!("POST {url}: {err}"))?.into_bytes()).into_owned();
    if !status.is_success() || function_error || answer.contains("\"errorType\"") {
        return Err(format!("POST {url}: {status} {answer}"));
    }
    Ok(answer)
}

/// An event of job `job_id` of video `video_id`, as MediaConvert sends it.
fn job_event(job_id: &str, video_id: &str, status: &str) -> JobEvent {
    let mut event = JobEvent::default();
    event.version = Some("0".into());
    event.id = Some(uuid::Uuid::new_v4().to_string());
    event.detail_type = DETAIL_TYPE.into();
    event.source = "aws.mediaconvert".into();
    event.time = Some(chrono::Utc::now());
    event.region = std::env::var("AWS_REGION").ok();
    event.detail = JobStateDetail {
        job_id: job_id.into(),
        status: status.into(),
        user_metadata: [(VIDEO_ID_KEY.to_owned(), video_id.to_owned()), (APP_KEY.to_owned(), APP.to_owned())].into(),
        ..JobStateDetail::default()
    };
    event
}

/// The job read its input.
pub fn input_information(job_id: &str, video_id: &str) -> JobEvent {
    job_event(job_id, video_id, "INPUT_INFORMATION")
}

/// The job failed; `message` is logged by the handler, the owner sees the code.
pub fn error(job_id: &str, video_id: &str, code: i64, message: &str) -> JobEvent {
    let mut event = job_event(job_id, video_id, "ERROR");
    event.detail.error_code = Some(code);
    event.detail.error_message = Some(message.into());
    event
}

/// The ladder is stored: its master and rung playlists in `bucket`.
pub fn complete(job_id: &str, video_id: &str, bucket: &str, rungs: &[MadeRung]) -> JobEvent {
    let prefix = format!("s3://{bucket}/");
    let mut event = job_event(job_id, video_id, "COMPLETE");
    let output_details = rungs
        .iter()
        .map(|MadeRung { rung, made }| OutputDetail {
            output_file_paths: vec![format!("{prefix}{}{}", hls_prefix(video_id), rung_playlist(&rung.name))],
            video_details: Some(VideoDetails { width_in_px: made.width, height_in_px: made.height }),
        })
        .collect();
    event.detail.output_group_details = vec![OutputGroupDetail {
        kind: "HLS_GROUP".into(),
        playlist_file_paths: vec![format!("{prefix}{}", master_key(video_id))],
        output_details,
    }];
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ladder::rungs_for;
    use crate::domain::transcode::{Hls, HlsRung, JobOutcome};
    use crate::handlers::transcode_events::outcome;
    use crate::store::ffmpeg::probe::Rendition;

    const ID: &str = "0190a8c4-0000-7000-8000-000000000000";

    #[test]
    fn a_complete_event_is_the_ladder_the_handler_records() {
        let rungs: Vec<MadeRung> = rungs_for(1280, 720)
            .into_iter()
            .map(|rung| MadeRung { made: Rendition { width: rung.width, height: rung.height, codec: None }, rung })
            .collect();
        let event = complete("1-abcdef", ID, "bucket", &rungs);
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["detail-type"], "MediaConvert Job State Change");
        assert_eq!(json["source"], "aws.mediaconvert");
        assert_eq!(json["detail"]["userMetadata"]["video_id"], ID);
        assert_eq!(json["detail"]["userMetadata"]["app"], "vidlet");
        let group = &json["detail"]["outputGroupDetails"][0];
        assert_eq!(group["playlistFilePaths"][0], format!("s3://bucket/hls/{ID}/master.m3u8"));
        assert_eq!(group["outputDetails"][1]["outputFilePaths"][0], format!("s3://bucket/hls/{ID}/master_540p.m3u8"));
        assert_eq!(group["outputDetails"][1]["videoDetails"]["heightInPx"], 540);
        let hls = Hls {
            rungs: [(1280, 720, "720p"), (960, 540, "540p"), (640, 360, "360p")]
                .map(|(width, height, name)| HlsRung { width, height, playlist: format!("master_{name}.m3u8") })
                .to_vec(),
        };
        assert_eq!(outcome(&event.detail, "bucket", ID).unwrap(), Some(JobOutcome::Complete(hls)));
    }

    #[test]
    fn an_error_event_is_a_failure_and_input_information_a_start() {
        let failed = error("1-abcdef", ID, codes::TRANSCODE, "ffmpeg exited with 1");
        let json = serde_json::to_value(&failed).unwrap();
        assert_eq!(
            (json["detail"]["status"].as_str(), json["detail"]["errorCode"].as_i64()),
            (Some("ERROR"), Some(1030))
        );
        assert!(matches!(outcome(&failed.detail, "bucket", ID), Ok(Some(JobOutcome::Failed { .. }))));
        let started = input_information("1-abcdef", ID);
        assert_eq!(outcome(&started.detail, "bucket", ID).unwrap(), Some(JobOutcome::Started));
    }
}
