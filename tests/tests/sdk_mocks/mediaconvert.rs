//! The MediaConvert adapter's CreateJob request, checked with the SDK's own
//! mocks (aws-smithy-mocks): what it asks for, for the ladders the domain plans.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_sdk_mediaconvert::operation::create_job::{CreateJobError, CreateJobInput, CreateJobOutput};
use aws_sdk_mediaconvert::types::error::InternalServerErrorException;
use aws_sdk_mediaconvert::types::{
    AacCodingMode, AudioCodec, AudioDefaultSelection, ColorSpace, ColorSpaceConversion, ContainerType,
    H264CodecProfile, H264FramerateControl, H264GopSizeUnits, H264RateControlMode, HdrToSdrToneMapper, InputRotate,
    InputTimecodeSource, Job, Output, OutputGroupType, ScalingBehavior, StatusUpdateInterval, VideoCodec,
};
use aws_sdk_mediaconvert::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use vidlet::domain::ladder::{master_key, rung_playlist};
use vidlet::domain::playback::{
    AudioCodec as SourceAudio, ContainerKind, DynamicRange, MediaFacts, VideoCodec as SourceVideo,
};
use vidlet::domain::transcode::playlist_in;
use vidlet::domain::video::{Privacy, Video, VideoStatus};
use vidlet::handlers::ladder::job_for;
use vidlet::ports::{TranscodeJob, Transcoder};
use vidlet::store::mediaconvert::{frame_rate_fraction, JobDefaults, MediaConvert, DESTINATION_BASE};

const BUCKET: &str = "vidlet-videos-test";
const TEMPLATE: &str = "vidlet-hls-ladder";
const ROLE: &str = "arn:aws:iam::123456789012:role/vidlet-MediaConvertRole";
const JOB_ID: &str = "1700000000000-abc123";

fn defaults(queue: Option<&str>) -> JobDefaults {
    JobDefaults {
        bucket: BUCKET.into(),
        job_template: TEMPLATE.into(),
        role_arn: ROLE.into(),
        queue: queue.map(str::to_owned),
    }
}

/// A processing video of `width` x `height` with what the probe found.
fn source(width: u32, height: u32, facts: MediaFacts) -> Video {
    let mut video = Video::example("alice", VideoStatus::Processing, Privacy::Public);
    (video.width, video.height, video.media) = (Some(width), Some(height), Some(facts));
    video
}

/// A CreateJob rule answering `JOB_ID`, and the requests it saw.
fn recording_rule() -> (Rule, Arc<Mutex<Vec<CreateJobInput>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let rule = mock!(Client::create_job)
        .match_requests(move |req| {
            log.lock().unwrap().push(req.clone());
            true
        })
        .then_output(|| CreateJobOutput::builder().job(Job::builder().id(JOB_ID).build()).build());
    (rule, seen)
}

/// Submits `job` to a mocked MediaConvert: its answer and the one request sent.
async fn submit(job: &TranscodeJob, queue: Option<&str>) -> (String, CreateJobInput) {
    let (rule, seen) = recording_rule();
    let client = mock_client!(aws_sdk_mediaconvert, RuleMode::MatchAny, [&rule]);
    let job_id = MediaConvert::new(client, defaults(queue)).submit(job).await.expect("submitted");
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 1, "one CreateJob per submit");
    assert_eq!(rule.num_calls(), 1);
    (job_id, requests.into_iter().next().unwrap())
}

fn outputs(request: &CreateJobInput) -> &[Output] {
    let groups = request.settings().unwrap().output_groups();
    assert_eq!(groups.len(), 1, "one output group");
    groups[0].outputs()
}

#[tokio::test]
async fn a_4k_hlg_source_with_sound_gets_four_tone_mapped_rungs_with_aac() {
    let video = source(
        3840,
        2160,
        MediaFacts {
            container: ContainerKind::Quicktime,
            video_codec: Some(SourceVideo::Hevc),
            audio_codec: Some(SourceAudio::Aac),
            bit_depth: Some(10),
            dynamic_range: Some(DynamicRange::Hlg),
            frame_rate: Some(29.97),
        },
    );
    let job = job_for(&video);
    let (job_id, request) = submit(&job, Some("arn:aws:mediaconvert:us-east-1:123456789012:queues/Default")).await;
    assert_eq!(job_id, JOB_ID);
    let id = video.id.as_str();

    assert_eq!(request.job_template(), Some(TEMPLATE));
    assert_eq!(request.role(), Some(ROLE));
    assert_eq!(request.queue(), Some("arn:aws:mediaconvert:us-east-1:123456789012:queues/Default"));
    assert_eq!(request.client_request_token(), Some(id), "the video id: a retried submit is the same job");
    let metadata = HashMap::from([("video_id".to_owned(), id.to_owned()), ("app".to_owned(), "vidlet".to_owned())]);
    assert_eq!(request.user_metadata(), Some(&metadata));
    assert_eq!(request.status_update_interval(), Some(&StatusUpdateInterval::Seconds60));

    let settings = request.settings().unwrap();
    let [input] = settings.inputs() else { panic!("one input: {:?}", settings.inputs()) };
    assert_eq!(input.file_input(), Some(format!("s3://{BUCKET}/videos/{id}").as_str()));
    assert_eq!(input.video_selector().unwrap().color_space(), Some(&ColorSpace::Follow));
    assert_eq!(input.video_selector().unwrap().rotate(), Some(&InputRotate::Auto), "a phone's quarter turn applied");
    assert_eq!(input.timecode_source(), Some(&InputTimecodeSource::Zerobased));
    let selectors = input.audio_selectors().unwrap();
    assert_eq!(selectors.keys().collect::<Vec<_>>(), ["Audio Selector 1"]);
    assert_eq!(selectors["Audio Selector 1"].default_selection(), Some(&AudioDefaultSelection::Default));

    let group = &settings.output_groups()[0];
    let group_settings = group.output_group_settings().unwrap();
    assert_eq!(group_settings.r#type(), Some(&OutputGroupType::HlsGroupSettings));
    let hls = group_settings.hls_group_settings().unwrap();
    let destination = format!("s3://{BUCKET}/hls/{id}/master");
    assert_eq!(hls.destination(), Some(destination.as_str()));
    assert_eq!(format!("s3://{BUCKET}/{}", master_key(id)), format!("{destination}.m3u8"), "the master is master.m3u8");
    assert_eq!((hls.segment_length(), hls.min_segment_length()), (Some(6), Some(0)));

    let outputs = outputs(&request);
    let sizes: Vec<_> = outputs
        .iter()
        .map(|o| {
            let video = o.video_description().unwrap();
            (video.width().unwrap(), video.height().unwrap())
        })
        .collect();
    assert_eq!(sizes, [(1920, 1080), (1280, 720), (960, 540), (640, 360)]);
    let modifiers: Vec<_> = outputs.iter().map(|o| o.name_modifier().unwrap()).collect();
    assert_eq!(modifiers, ["_1080p", "_720p", "_540p", "_360p"]);
    for (output, rung) in outputs.iter().zip(&job.rungs) {
        // The rung playlist MediaConvert writes is the one the ladder names.
        let written = format!("{destination}{}.m3u8", output.name_modifier().unwrap());
        assert_eq!(playlist_in(&written, BUCKET, id).unwrap(), rung_playlist(&rung.name));
        assert_eq!(output.container_settings().unwrap().container(), Some(&ContainerType::M3U8));
        let video = output.video_description().unwrap();
        assert_eq!(video.scaling_behavior(), Some(&ScalingBehavior::Default));
        let codec = video.codec_settings().unwrap();
        assert_eq!(codec.codec(), Some(&VideoCodec::H264));
        let h264 = codec.h264_settings().unwrap();
        assert_eq!(h264.rate_control_mode(), Some(&H264RateControlMode::Qvbr));
        assert_eq!(h264.codec_profile(), Some(&H264CodecProfile::High));
        assert_eq!(h264.framerate_control(), Some(&H264FramerateControl::Specified));
        assert_eq!((h264.framerate_numerator(), h264.framerate_denominator()), (Some(30000), Some(1001)));
        assert_eq!((h264.gop_size(), h264.gop_size_units()), (Some(2.0), Some(&H264GopSizeUnits::Seconds)));
        let quality = h264.qvbr_settings().unwrap().qvbr_quality_level().unwrap();
        assert!((7..=8).contains(&quality), "{quality}");
        let corrector = video.video_preprocessors().and_then(|p| p.color_corrector()).expect("tone mapping");
        assert_eq!(corrector.color_space_conversion(), Some(&ColorSpaceConversion::Force709));
        assert_eq!(corrector.hdr_to_sdr_tone_mapper(), Some(&HdrToSdrToneMapper::PreserveDetails));
        let [audio] = output.audio_descriptions() else { panic!("one audio description") };
        assert_eq!(audio.audio_source_name(), Some("Audio Selector 1"));
        let codec = audio.codec_settings().unwrap();
        assert_eq!(codec.codec(), Some(&AudioCodec::Aac));
        let aac = codec.aac_settings().unwrap();
        assert_eq!((aac.bitrate(), aac.sample_rate()), (Some(128_000), Some(48_000)));
        assert_eq!(aac.coding_mode(), Some(&AacCodingMode::CodingMode20));
    }
    let peaks: Vec<_> = outputs
        .iter()
        .map(|o| o.video_description().unwrap().codec_settings().unwrap().h264_settings().unwrap().max_bitrate())
        .collect();
    assert_eq!(peaks, [Some(5_000_000), Some(3_000_000), Some(2_000_000), Some(800_000)]);
}

#[tokio::test]
async fn a_silent_360p_sdr_source_at_60_fps_gets_one_30_fps_rung_without_audio_or_tone_mapping() {
    let video = source(
        640,
        360,
        MediaFacts {
            container: ContainerKind::Mp4,
            video_codec: Some(SourceVideo::H264),
            audio_codec: None,
            bit_depth: Some(8),
            dynamic_range: Some(DynamicRange::Sdr),
            frame_rate: Some(60.0),
        },
    );
    let (_, request) = submit(&job_for(&video), None).await;
    assert_eq!(request.queue(), None, "the account's default queue");
    let input = &request.settings().unwrap().inputs()[0];
    assert!(input.audio_selectors().is_none_or(HashMap::is_empty), "{:?}", input.audio_selectors());
    let [output] = outputs(&request) else { panic!("one rung") };
    assert_eq!(output.name_modifier(), Some("_360p"));
    let video = output.video_description().unwrap();
    assert_eq!((video.width(), video.height()), (Some(640), Some(360)));
    assert_eq!(video.video_preprocessors(), None, "no tone mapping of SDR");
    let h264 = video.codec_settings().unwrap().h264_settings().unwrap();
    assert_eq!(h264.max_bitrate(), Some(800_000));
    assert_eq!((h264.framerate_numerator(), h264.framerate_denominator()), (Some(30), Some(1)));
    assert!(output.audio_descriptions().is_empty(), "no sound, no AudioDescriptions");
}

#[tokio::test]
async fn a_service_error_is_a_503_naming_create_job() {
    let rule = mock!(Client::create_job).then_error(|| {
        CreateJobError::InternalServerErrorException(InternalServerErrorException::builder().message("boom").build())
    });
    let client = mock_client!(aws_sdk_mediaconvert, RuleMode::MatchAny, [&rule]);
    let video = Video::example("alice", VideoStatus::Processing, Privacy::Public);
    let err = MediaConvert::new(client, defaults(None)).submit(&job_for(&video)).await.unwrap_err();
    assert!(err.cause().contains(&format!("CreateJob {TEMPLATE}")), "{}", err.cause());
    let response = err.into_response();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["error_code"], "003", "{body}");
    assert!(rule.num_calls() >= 1);
}

#[tokio::test]
async fn an_answer_without_a_job_id_or_a_missing_setting_is_an_error() {
    let rule = mock!(Client::create_job).then_output(|| CreateJobOutput::builder().build());
    let client = mock_client!(aws_sdk_mediaconvert, RuleMode::MatchAny, [&rule]);
    let job = job_for(&Video::example("alice", VideoStatus::Processing, Privacy::Public));
    let err = MediaConvert::new(client, defaults(None)).submit(&job).await.unwrap_err();
    assert_eq!(err.status(), 500, "{}", err.cause());

    let rule = mock!(Client::create_job).then_output(|| CreateJobOutput::builder().build());
    let client = mock_client!(aws_sdk_mediaconvert, RuleMode::MatchAny, [&rule]);
    let unset = JobDefaults { role_arn: String::new(), ..defaults(None) };
    let err = MediaConvert::new(client, unset).submit(&job).await.unwrap_err();
    assert!(err.cause().contains("MEDIACONVERT_ROLE_ARN"), "{}", err.cause());
    assert_eq!(rule.num_calls(), 0, "nothing is asked of MediaConvert");
}

#[test]
fn frame_rates_become_exact_fractions() {
    assert_eq!(frame_rate_fraction(30.0), (30, 1));
    assert_eq!(frame_rate_fraction(25.0), (25, 1));
    assert_eq!(frame_rate_fraction(29.97), (30000, 1001));
    assert_eq!(frame_rate_fraction(30000.0 / 1001.0), (30000, 1001));
    assert_eq!(frame_rate_fraction(23.976), (24000, 1001));
    assert_eq!(frame_rate_fraction(12.5), (25, 2));
    assert_eq!(frame_rate_fraction(f64::NAN), (30, 1));
    assert_eq!(DESTINATION_BASE, "master");
}
