//! `transcode-events` on AWS's documented event JSON (tests/fixtures/events/):
//! what each event means, paths that are not the video's own, and events of
//! no vidlet job. The DynamoDB side is tested in tests/tests/api/transcode_events.rs.

use std::sync::Mutex;

use vidlet::access::Access;
use vidlet::config::Config;
use vidlet::domain::transcode::{Hls, HlsRung, JobOutcome};
use vidlet::domain::video::DeletionRecord;
use vidlet::error::ApiResult;
use vidlet::handlers::transcode_events::{outcome, JobEvent, TranscodeEvents};
use vidlet::ports::{RecordQueuer, Recorded, RenditionRecorder};

const COMPLETE: &str = include_str!("../../tests/fixtures/events/complete_hls.json");
const ERROR: &str = include_str!("../../tests/fixtures/events/error.json");
const INPUT_INFORMATION: &str = include_str!("../../tests/fixtures/events/input_information.json");
/// The video and the bucket the fixtures name.
const ID: &str = "0190a8c4-5e2b-7c3d-9f10-2b3c4d5e6f70";
const BUCKET: &str = "vidlet-videos";

fn event(json: &str) -> JobEvent {
    serde_json::from_str(json).expect("a documented event parses")
}

/// A fixture with `from` replaced by `to` (a path, a bucket, an id).
fn event_with(json: &str, from: &str, to: &str) -> JobEvent {
    assert!(json.contains(from), "{from} is not in the fixture");
    event(&json.replace(from, to))
}

fn outcome_of(event: &JobEvent) -> Option<JobOutcome> {
    outcome(&event.detail, BUCKET, ID).expect("an outcome")
}

#[test]
fn the_documented_events_mean_a_ladder_a_failure_and_a_start() {
    let complete = event(COMPLETE);
    assert_eq!(complete.detail.job_id, "1536964333549-opn151");
    let ladder = Hls {
        rungs: vec![
            HlsRung { width: 1280, height: 720, playlist: "master_720p.m3u8".into() },
            HlsRung { width: 426, height: 240, playlist: "master_240p.m3u8".into() },
        ],
    };
    assert_eq!(outcome_of(&complete), Some(JobOutcome::Complete(ladder)), "highest rung first");

    let error = event(ERROR);
    assert_eq!(
        (error.detail.error_code, error.detail.error_message.as_deref()),
        (Some(1040), Some("Example error message"))
    );
    let Some(JobOutcome::Failed { message }) = outcome_of(&error) else { panic!("a failure") };
    assert_eq!(message, "the video could not be converted (transcoder error 1040)");
    assert!(!message.contains("Example error message"), "the transcoder's own words are logged, not shown");

    assert_eq!(outcome_of(&event(INPUT_INFORMATION)), Some(JobOutcome::Started));
    for status in ["PROGRESSING", "STATUS_UPDATE", "NEW_WARNING", "QUEUE_HOP"] {
        let other = event_with(INPUT_INFORMATION, "\"INPUT_INFORMATION\"", &format!("\"{status}\""));
        assert_eq!(outcome_of(&other), None, "{status} changes nothing");
    }
}

#[test]
fn a_complete_job_whose_paths_are_not_the_videos_own_is_a_failure_never_a_ladder() {
    let master = format!("s3://{BUCKET}/hls/{ID}/master.m3u8");
    let rung = format!("s3://{BUCKET}/hls/{ID}/master_720p.m3u8");
    let elsewhere = [
        (master.clone(), format!("s3://another-bucket/hls/{ID}/master.m3u8")),
        (master.clone(), "s3://vidlet-videos/hls/0190a8c4-0000-7000-8000-000000000000/master.m3u8".to_owned()),
        (master.clone(), format!("s3://{BUCKET}/hls/{ID}/other.m3u8")),
        (rung.clone(), format!("s3://another-bucket/hls/{ID}/master_720p.m3u8")),
        (rung.clone(), format!("s3://{BUCKET}/videos/{ID}")),
        (rung.clone(), format!("s3://{BUCKET}/hls/{ID}/../../videos/x.m3u8")),
        (rung.clone(), format!("s3://{BUCKET}/hls/{ID}/sub/master_720p.m3u8")),
        (rung.clone(), format!("https://{BUCKET}.s3.amazonaws.com/hls/{ID}/master_720p.m3u8")),
        ("\"HLS_GROUP\"".to_owned(), "\"FILE_GROUP\"".to_owned()),
    ];
    for (from, to) in elsewhere {
        let event = event_with(COMPLETE, &from, &to);
        match outcome_of(&event) {
            Some(JobOutcome::Failed { message }) => assert!(message.contains("no usable ladder"), "{to}: {message}"),
            other => panic!("{to}: {other:?}"),
        }
    }
}

/// Records what the handler asks of storage.
#[derive(Default)]
struct Recorder {
    recorded: Mutex<Vec<(String, String, JobOutcome)>>,
    queued: Mutex<Vec<DeletionRecord>>,
    gone: bool,
}

impl RenditionRecorder for &Recorder {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }

    async fn record(&self, video_id: &str, job_id: &str, outcome: &JobOutcome) -> ApiResult<Recorded> {
        self.recorded.lock().unwrap().push((video_id.into(), job_id.into(), outcome.clone()));
        Ok(if self.gone { Recorded::Gone } else { Recorded::Unchanged })
    }
}

impl RecordQueuer for &Recorder {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }

    async fn queue(&self, record: &DeletionRecord) -> ApiResult<()> {
        self.queued.lock().unwrap().push(record.clone());
        Ok(())
    }
}

fn handler(recorder: &Recorder) -> TranscodeEvents<&Recorder, &Recorder> {
    TranscodeEvents { videos: recorder, queue: recorder, config: Config::default() }
}

#[tokio::test]
async fn a_misplaced_ladder_is_recorded_as_a_failure() {
    let recorder = Recorder::default();
    let event = event_with(COMPLETE, &format!("s3://{BUCKET}/hls/{ID}/master.m3u8"), "s3://evil/hls/x/master.m3u8");
    handler(&recorder).handle(&event).await.unwrap();
    let recorded = recorder.recorded.lock().unwrap();
    let [(video_id, job_id, JobOutcome::Failed { .. })] = recorded.as_slice() else { panic!("{recorded:?}") };
    assert_eq!((video_id.as_str(), job_id.as_str()), (ID, "1536964333549-opn151"));
}

#[tokio::test]
async fn events_of_another_app_source_or_kind_are_ignored() {
    let recorder = Recorder::default();
    let metadata = format!("\"video_id\": \"{ID}\",\n            \"app\": \"vidlet\"");
    let mut events = vec![
        event_with(COMPLETE, "\"app\": \"vidlet\"", "\"app\": \"another-app\""),
        event_with(COMPLETE, &metadata, &format!("\"video_id\": \"{ID}\"")),
        event_with(ERROR, &metadata, ""),
        event_with(ERROR, ID, "not-a-uuid"),
        event_with(INPUT_INFORMATION, "\"aws.mediaconvert\"", "\"custom.mediaconvert\""),
        event_with(ERROR, "\"MediaConvert Job State Change\"", "\"MediaConvert Queue State Change\""),
    ];
    let mut forged = event(COMPLETE);
    forged.source = "aws.s3".into();
    events.push(forged);
    for event in &events {
        let summary = handler(&recorder).handle(event).await.unwrap();
        assert_eq!(summary.result, "ignored", "{event:?}");
    }
    assert!(recorder.recorded.lock().unwrap().is_empty(), "nothing is recorded");
    assert!(recorder.queued.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_ended_job_of_a_deleted_video_queues_its_renditions_and_a_start_does_not() {
    let recorder = Recorder { gone: true, ..Recorder::default() };
    for json in [COMPLETE, ERROR, INPUT_INFORMATION] {
        let summary = handler(&recorder).handle(&event(json)).await.unwrap();
        assert_eq!((summary.result, summary.video_id.as_deref()), ("gone", Some(ID)));
    }
    let queued = recorder.queued.lock().unwrap();
    assert_eq!(queued.len(), 2, "COMPLETE and ERROR, not INPUT_INFORMATION: {queued:?}");
    assert!(queued.iter().all(|r| r.object_prefixes == [format!("hls/{ID}/")] && r.object_keys.is_empty()));
}
