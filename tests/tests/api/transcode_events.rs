//! `transcode-events` against DynamoDB Local: AWS's documented job events
//! (tests/fixtures/events/) move a video's state once, in any order, and a
//! failure never shows to anyone but the owner.

use std::collections::BTreeMap;

use serde_json::Value;
use vidlet::config::Config;
use vidlet::domain::now_epoch;
use vidlet::domain::transcode::{HlsRung, JobState, TranscodeState};
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::handlers::transcode_events::{JobEvent, TranscodeEvents};
use vidlet::ports::{DeletionQueue, ReadyInfo, UploadSettler, VideoCreator, VideoReader};
use vidlet::store::call_counter::CallCounter;
use vidlet_tests::{fixture, handler, Req, TestApp, TestResponse};

use crate::accounts::register;
use crate::videos::ids;

/// The video and the bucket the fixtures name, replaced by each test's own.
const FIXTURE_ID: &str = "0190a8c4-5e2b-7c3d-9f10-2b3c4d5e6f70";
const FIXTURE_BUCKET: &str = "vidlet-videos";
const JOB: &str = "1700000000000-vidlet";
const FAILED: &str = "the video could not be converted (transcoder error 1040)";

/// The documented event `name` (complete_hls, error, input_information) of job
/// `job_id` for this test's video and bucket.
fn job_event(t: &TestApp, name: &str, video_id: &str, job_id: &str) -> JobEvent {
    let text = String::from_utf8(fixture(&format!("events/{name}.json"))).unwrap();
    let text = text.replace(FIXTURE_ID, video_id).replace(FIXTURE_BUCKET, &t.config.bucket);
    let mut event: JobEvent = serde_json::from_str(&text).expect("the fixture parses");
    event.detail.job_id = job_id.to_owned();
    event
}

fn events(t: &TestApp) -> TranscodeEvents<vidlet::store::dynamo::Dynamo, vidlet::store::dynamo::Dynamo> {
    TranscodeEvents { videos: t.db.clone(), queue: t.db.clone(), config: t.config.clone() }
}

/// Delivers `name` of `JOB` for `id`: what the handler did with it.
async fn deliver(t: &TestApp, name: &str, id: &str) -> &'static str {
    events(t).handle(&job_event(t, name, id, JOB)).await.expect("recorded").result
}

/// A video `/complete` left waiting for its ladder (`processing`, job submitting),
/// or ready with a ladder asked for (`TRANSCODE=always`).
async fn seed(t: &TestApp, owner: &str, name: &str, privacy: Privacy, ready: bool) -> Video {
    let video = Video { name: name.into(), ..Video::example(owner, VideoStatus::Pending, privacy) };
    t.db.create_video(&video, t.config.user_quota_bytes).await.unwrap();
    let info = ReadyInfo {
        duration_seconds: Some(3.0),
        width: Some(1280),
        height: Some(720),
        media: None,
        transcode: Some(TranscodeState::submitting(now_epoch())),
    };
    let settled = if ready { t.db.mark_ready(&video, &info).await } else { t.db.mark_processing(&video, &info).await };
    settled.unwrap().expect("was pending")
}

async fn stored(t: &TestApp, id: &str) -> Video {
    t.db.get_video(id).await.unwrap().expect("stored")
}

async fn get_video(t: &TestApp, id: &str, token: Option<&str>) -> TestResponse {
    let mut req = Req::get(&format!("/videos/{id}")).param("id", id);
    if let Some(token) = token {
        req = req.bearer(token);
    }
    t.call(handler!(videos::get_video), req.build()).await
}

/// Where others could find `id`: the feed, search for `word`, its owner's list as a stranger sees it.
async fn listed(t: &TestApp, id: &str, word: &str, owner: &str, stranger: &str) -> [bool; 3] {
    let feed = t.call(handler!(videos::list_videos), Req::get("/videos").build()).await;
    let search = t.call(handler!(videos::search_videos), Req::get("/search").query("q", word).build()).await;
    let list = Req::get(&format!("/users/{owner}/videos")).param("username", owner).bearer(stranger);
    let list = t.call(handler!(videos::list_user_videos), list.build()).await;
    [feed, search, list].map(|res| ids(res.assert_status(200), "videos").contains(&id.to_owned()))
}

fn fixture_ladder() -> Vec<HlsRung> {
    vec![
        HlsRung { width: 1280, height: 720, playlist: "master_720p.m3u8".into() },
        HlsRung { width: 426, height: 240, playlist: "master_240p.m3u8".into() },
    ]
}

#[tokio::test]
async fn a_complete_ladder_publishes_a_processing_video_once_whatever_comes_after() {
    let t = TestApp::new().await;
    let owner = register(&t, "maker", "password1").await;
    let stranger = register(&t, "viewer", "password1").await;
    let id = seed(&t, "maker", "Harbour timelapse", Privacy::Public, false).await.id;
    get_video(&t, &id, Some(&stranger)).await.assert_error(404, "005");
    assert_eq!(listed(&t, &id, "harbour", "maker", &stranger).await, [false; 3], "processing: nowhere");

    assert_eq!(deliver(&t, "complete_hls", &id).await, "applied");
    let video = stored(&t, &id).await;
    assert_eq!(video.status, VideoStatus::Ready);
    assert_eq!(video.hls.as_ref().unwrap().rungs, fixture_ladder());
    let transcode = video.transcode.clone().unwrap();
    assert_eq!((transcode.state, transcode.job_id.as_deref(), transcode.error), (JobState::Complete, Some(JOB), None));

    let mine = get_video(&t, &id, Some(&owner)).await;
    let body = mine.assert_status(200);
    assert_eq!((body["status"].as_str(), body["hls"].as_bool()), (Some("ready"), Some(true)));
    assert_eq!(body["transcode"], serde_json::json!({"state": "complete"}));
    let theirs = get_video(&t, &id, Some(&stranger)).await;
    let body = theirs.assert_status(200);
    assert_eq!((body["status"].as_str(), body["hls"].as_bool()), (Some("ready"), Some(true)));
    assert_eq!(body.get("transcode"), None, "the job is the owner's business");
    assert_eq!(listed(&t, &id, "harbour", "maker", &stranger).await, [true; 3], "published: feed, search, list");

    // The same event again, then a late start and a late error of the same job: nothing moves.
    for late in ["complete_hls", "input_information", "error"] {
        assert_eq!(deliver(&t, late, &id).await, "unchanged", "{late}");
    }
    let after = stored(&t, &id).await;
    assert_eq!((after.status, after.hls, after.transcode), (VideoStatus::Ready, video.hls, video.transcode));
    let body = get_video(&t, &id, Some(&stranger)).await.assert_status(200).clone();
    assert_eq!(body["hls"], true);
}

#[tokio::test]
async fn a_failed_job_shows_to_its_owner_only_and_never_publishes() {
    let t = TestApp::new().await;
    let owner = register(&t, "maker", "password1").await;
    let stranger = register(&t, "viewer", "password1").await;
    let id = seed(&t, "maker", "Broken upload", Privacy::Public, false).await.id;

    assert_eq!(deliver(&t, "error", &id).await, "applied");
    let body = get_video(&t, &id, Some(&owner)).await.assert_status(200).clone();
    assert_eq!(body["status"], "failed");
    assert_eq!(body["transcode"], serde_json::json!({"state": "error", "error": FAILED}));
    assert_eq!(body["hls"], false);
    assert!(!body.to_string().contains("Example error message"), "the transcoder's words stay in the log: {body}");
    get_video(&t, &id, Some(&stranger)).await.assert_error(404, "005");
    get_video(&t, &id, None).await.assert_error(404, "005");
    assert_eq!(listed(&t, &id, "broken", "maker", &stranger).await, [false; 3]);

    // A late ladder of the same job changes nothing: the failure is final.
    assert_eq!(deliver(&t, "complete_hls", &id).await, "unchanged");
    let video = stored(&t, &id).await;
    assert_eq!((video.status, video.hls), (VideoStatus::Failed, None));
    assert_eq!(listed(&t, &id, "broken", "maker", &stranger).await, [false; 3]);
}

#[tokio::test]
async fn a_ready_video_whose_ladder_fails_stays_ready_and_only_its_owner_sees_the_error() {
    let t = TestApp::new().await;
    let owner = register(&t, "maker", "password1").await;
    let stranger = register(&t, "viewer", "password1").await;
    let id = seed(&t, "maker", "Playable original", Privacy::Public, true).await.id;
    t.db.job_submitted(&id, JOB).await.unwrap();

    assert_eq!(deliver(&t, "error", &id).await, "applied");
    let body = get_video(&t, &id, Some(&owner)).await.assert_status(200).clone();
    assert_eq!((body["status"].as_str(), body["hls"].as_bool()), (Some("ready"), Some(false)));
    assert_eq!(body["transcode"], serde_json::json!({"state": "error", "error": FAILED}));
    for token in [Some(stranger.as_str()), None] {
        let body = get_video(&t, &id, token).await.assert_status(200).clone();
        assert_eq!((body["status"].as_str(), body.get("transcode")), (Some("ready"), None), "{body}");
    }
    assert_eq!(listed(&t, &id, "playable", "maker", &stranger).await, [true; 3], "still published");
}

#[tokio::test]
async fn input_information_moves_a_submitted_job_to_progressing_and_nothing_else() {
    let t = TestApp::new().await;
    register(&t, "maker", "password1").await;
    let id = seed(&t, "maker", "Slow one", Privacy::Private, false).await.id;
    t.db.job_submitted(&id, JOB).await.unwrap();
    assert_eq!(stored(&t, &id).await.transcode.unwrap().state, JobState::Submitted);

    assert_eq!(deliver(&t, "input_information", &id).await, "applied");
    let video = stored(&t, &id).await;
    assert_eq!(
        (video.status, video.transcode.unwrap().state, video.hls),
        (VideoStatus::Processing, JobState::Progressing, None)
    );
    assert_eq!(deliver(&t, "input_information", &id).await, "unchanged");

    // Another job's events (not the one recorded) change nothing.
    let stray = events(&t).handle(&job_event(&t, "error", &id, "1600000000000-stray0")).await.unwrap();
    assert_eq!(stray.result, "unchanged");
    assert_eq!(stored(&t, &id).await.status, VideoStatus::Processing);

    assert_eq!(deliver(&t, "complete_hls", &id).await, "applied");
    assert_eq!(stored(&t, &id).await.status, VideoStatus::Ready);
}

#[tokio::test]
async fn an_ended_job_of_a_deleted_video_queues_its_renditions_for_the_sweep() {
    let t = TestApp::new().await;
    let owner = register(&t, "maker", "password1").await;
    let id = seed(&t, "maker", "Deleted meanwhile", Privacy::Public, false).await.id;
    let delete = Req::delete(&format!("/videos/{id}")).param("id", &id).bearer(&owner);
    t.call(handler!(videos::delete_video), delete.build()).await.assert_status(204);
    let before = t.db.queued(100, None).await.unwrap();

    assert_eq!(deliver(&t, "input_information", &id).await, "gone");
    assert_eq!(t.db.queued(100, None).await.unwrap(), before, "a start wrote nothing");
    assert_eq!(deliver(&t, "complete_hls", &id).await, "gone");
    let queued = t.db.queued(100, None).await.unwrap();
    let orphaned: Vec<_> = queued.iter().filter(|r| !before.contains(r)).collect();
    let [record] = orphaned.as_slice() else { panic!("one new record: {queued:?}") };
    assert_eq!(record.video_id, format!("{id}#hls"));
    assert_eq!(record.object_prefixes, [format!("hls/{id}/")]);
    assert!(record.object_keys.is_empty());
    assert_eq!(record.reason, "renditions_orphaned");
    assert!(t.db.get_video(&id).await.unwrap().is_none(), "the event brought nothing back");
}

#[tokio::test]
async fn two_deliveries_of_one_job_at_once_leave_one_consistent_result() {
    let t = TestApp::new().await;
    let stranger = register(&t, "viewer", "password1").await;
    register(&t, "maker", "password1").await;
    let twice = seed(&t, "maker", "Delivered twice", Privacy::Public, false).await.id;
    let (a, b) = tokio::join!(deliver(&t, "complete_hls", &twice), deliver(&t, "complete_hls", &twice));
    let mut results = [a, b];
    results.sort();
    assert_eq!(results, ["applied", "unchanged"]);
    let video = stored(&t, &twice).await;
    assert_eq!((video.status, video.hls.unwrap().rungs), (VideoStatus::Ready, fixture_ladder()));
    assert_eq!(listed(&t, &twice, "twice", "maker", &stranger).await, [true; 3]);

    // Contradicting events of one job racing: whichever lands first is the whole outcome.
    let raced = seed(&t, "maker", "Raced outcome", Privacy::Public, false).await.id;
    let (a, b) = tokio::join!(deliver(&t, "complete_hls", &raced), deliver(&t, "error", &raced));
    let video = stored(&t, &raced).await;
    let transcode = video.transcode.unwrap();
    match (a, b) {
        ("applied", "unchanged") => {
            assert_eq!(
                (video.status, transcode.state, video.hls.is_some()),
                (VideoStatus::Ready, JobState::Complete, true)
            )
        }
        ("unchanged", "applied") => {
            assert_eq!((video.status, transcode.state, video.hls), (VideoStatus::Failed, JobState::Error, None));
            assert_eq!(listed(&t, &raced, "raced", "maker", &stranger).await, [false; 3]);
        }
        other => panic!("exactly one applies: {other:?}"),
    }
}

#[tokio::test]
async fn an_applied_event_costs_one_read_and_one_write() {
    let counter = CallCounter::default();
    let t = TestApp::on(counter.dynamodb_client(), counter.s3_client(), Config::default()).await;
    register(&t, "maker", "password1").await;
    let id = seed(&t, "maker", "Counted", Privacy::Private, false).await.id;
    counter.take();
    let calls = |pairs: &[(&str, usize)]| pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>();

    assert_eq!(deliver(&t, "complete_hls", &id).await, "applied");
    assert_eq!(counter.take(), calls(&[("DynamoDB.GetItem", 1), ("DynamoDB.UpdateItem", 1)]));
    assert_eq!(deliver(&t, "complete_hls", &id).await, "unchanged");
    assert_eq!(counter.take(), calls(&[("DynamoDB.GetItem", 1)]), "a duplicate only reads");
    let ignored: Value =
        serde_json::to_value(events(&t).handle(&job_event(&t, "error", "not-a-video", JOB)).await.unwrap()).unwrap();
    assert_eq!(ignored["result"], "ignored");
    assert_eq!(counter.take(), calls(&[]), "an event of no video costs nothing");
}
