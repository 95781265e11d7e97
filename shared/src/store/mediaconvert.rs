//! The transcoder on AWS: one MediaConvert CreateJob per video, naming the SAM
//! job template and carrying the whole ladder in its settings. Its outcome comes
//! back as a "MediaConvert Job State Change" event (handlers/transcode_events.rs).

use aws_sdk_mediaconvert::types::{
    AacCodingMode, AacSettings, AudioCodec, AudioCodecSettings, AudioDefaultSelection, AudioDescription, AudioSelector,
    ColorCorrector, ColorSpace, ColorSpaceConversion, ContainerSettings, ContainerType, H264CodecProfile,
    H264FramerateControl, H264GopSizeUnits, H264QvbrSettings, H264RateControlMode, H264SceneChangeDetect, H264Settings,
    HdrToSdrToneMapper, HlsGroupSettings, HlsSegmentControl, Input, InputRotate, InputTimecodeSource, JobSettings,
    Output, OutputGroup, OutputGroupSettings, OutputGroupType, ScalingBehavior, StatusUpdateInterval, VideoCodec,
    VideoCodecSettings, VideoDescription, VideoPreprocessor, VideoSelector,
};
use aws_sdk_mediaconvert::Client;

use crate::access::Access;
use crate::config::Config;
use crate::domain::ladder::{RungOutput, AUDIO_BITRATE, AUDIO_SAMPLE_RATE, SEGMENT_SECONDS};
use crate::error::{ApiError, ApiResult};
use crate::handlers::transcode_events::{APP, APP_KEY, VIDEO_ID_KEY};
use crate::ports::{TranscodeJob, Transcoder};
use crate::store::OrUnavailable;

/// The one audio selector of the input, as the outputs name it.
pub const AUDIO_SELECTOR: &str = "Audio Selector 1";
/// The HLS group's file base name: `master.m3u8`, `master_720p.m3u8`,
/// `master_720p_00001.ts` (a rung's name modifier is `_720p`).
pub const DESTINATION_BASE: &str = "master";
/// Seconds per GOP: a 6 s segment holds three whole GOPs in every rung.
pub const GOP_SECONDS: f64 = 2.0;

/// What every job of this deployment shares.
#[derive(Clone, Debug, PartialEq)]
pub struct JobDefaults {
    /// The bucket of the originals and the renditions.
    pub bucket: String,
    /// `MEDIACONVERT_JOB_TEMPLATE`: the SAM job template's name.
    pub job_template: String,
    /// `MEDIACONVERT_ROLE_ARN`: the role MediaConvert assumes.
    pub role_arn: String,
    /// `MEDIACONVERT_QUEUE`: the account's default queue when unset.
    pub queue: Option<String>,
}

impl JobDefaults {
    pub fn from_env(config: &Config) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        JobDefaults {
            bucket: config.bucket.clone(),
            job_template: var("MEDIACONVERT_JOB_TEMPLATE").unwrap_or_default(),
            role_arn: var("MEDIACONVERT_ROLE_ARN").unwrap_or_default(),
            queue: var("MEDIACONVERT_QUEUE"),
        }
    }
}

pub struct MediaConvert {
    client: Client,
    defaults: JobDefaults,
}

impl MediaConvert {
    pub const ACCESS: [Access; 2] = [Access::transcoder("mediaconvert:CreateJob"), Access::pass_transcoder_role()];

    pub fn from_env(config: &Config) -> Self {
        Self::new(super::client::mediaconvert(), JobDefaults::from_env(config))
    }

    pub fn new(client: Client, defaults: JobDefaults) -> Self {
        MediaConvert { client, defaults }
    }
}

impl Transcoder for MediaConvert {
    fn access(&self) -> Vec<Access> {
        Self::ACCESS.to_vec()
    }

    /// One CreateJob; its token is the video id, so a retried submit gets the same job.
    async fn submit(&self, job: &TranscodeJob) -> ApiResult<String> {
        let defaults = &self.defaults;
        for (name, value) in
            [("MEDIACONVERT_JOB_TEMPLATE", &defaults.job_template), ("MEDIACONVERT_ROLE_ARN", &defaults.role_arn)]
        {
            if value.is_empty() {
                return Err(ApiError::internal(format!("{name} is not set")));
            }
        }
        let out = self
            .client
            .create_job()
            .job_template(&defaults.job_template)
            .role(&defaults.role_arn)
            .set_queue(defaults.queue.clone())
            .client_request_token(&job.video_id)
            .user_metadata(VIDEO_ID_KEY, &job.video_id)
            .user_metadata(APP_KEY, APP)
            .status_update_interval(StatusUpdateInterval::Seconds60)
            .settings(job_settings(job, &defaults.bucket)?)
            .send()
            .await
            .or_unavailable("CreateJob", &defaults.job_template)?;
        match out.job().and_then(|j| j.id()) {
            Some(id) => Ok(id.to_owned()),
            None => Err(ApiError::internal(format!("CreateJob of video {} answered no job id", job.video_id))),
        }
    }
}

/// The job's settings: the original in, one HLS group of exactly the job's rungs out.
pub fn job_settings(job: &TranscodeJob, bucket: &str) -> ApiResult<JobSettings> {
    let mut input = Input::builder()
        .file_input(format!("s3://{bucket}/{}", job.input_key))
        // A phone held upright: turned as its metadata says, so the rungs' sizes (as shown) fit.
        .video_selector(VideoSelector::builder().color_space(ColorSpace::Follow).rotate(InputRotate::Auto).build())
        .timecode_source(InputTimecodeSource::Zerobased);
    if job.audio {
        let selector = AudioSelector::builder().default_selection(AudioDefaultSelection::Default).build();
        input = input.audio_selectors(AUDIO_SELECTOR, selector);
    }
    let hls = HlsGroupSettings::builder()
        .destination(format!("s3://{bucket}/{}{DESTINATION_BASE}", job.output_prefix))
        .segment_length(SEGMENT_SECONDS as i32)
        .min_segment_length(0)
        .segment_control(HlsSegmentControl::SegmentedFiles)
        .build();
    let mut group = OutputGroup::builder().name("Apple HLS").output_group_settings(
        OutputGroupSettings::builder().r#type(OutputGroupType::HlsGroupSettings).hls_group_settings(hls).build(),
    );
    for rung in &job.rungs {
        group = group.outputs(output(job, rung)?);
    }
    Ok(JobSettings::builder().inputs(input.build()).output_groups(group.build()).build())
}

/// One rung: H.264 QVBR capped at its bitrate, at exactly its size, AAC stereo when there is sound.
fn output(job: &TranscodeJob, rung: &RungOutput) -> ApiResult<Output> {
    let (numerator, denominator) = frame_rate_fraction(job.frame_rate);
    let h264 = H264Settings::builder()
        .rate_control_mode(H264RateControlMode::Qvbr)
        .max_bitrate(int(rung.video_bitrate, "video bitrate")?)
        .qvbr_settings(H264QvbrSettings::builder().qvbr_quality_level(qvbr_quality(rung)).build())
        .codec_profile(H264CodecProfile::High)
        .framerate_control(H264FramerateControl::Specified)
        .framerate_numerator(numerator)
        .framerate_denominator(denominator)
        // Fixed cadence (no scene-change I-frame moves it): rungs switch on the same frames.
        .gop_size(GOP_SECONDS)
        .gop_size_units(H264GopSizeUnits::Seconds)
        .gop_closed_cadence(1)
        .scene_change_detect(H264SceneChangeDetect::TransitionDetection)
        .min_i_interval(0)
        .build();
    let mut video = VideoDescription::builder()
        .width(int(rung.width, "width")?)
        .height(int(rung.height, "height")?)
        .scaling_behavior(ScalingBehavior::Default)
        .codec_settings(VideoCodecSettings::builder().codec(VideoCodec::H264).h264_settings(h264).build());
    if job.tone_map {
        let to_sdr = ColorCorrector::builder()
            .color_space_conversion(ColorSpaceConversion::Force709)
            .hdr_to_sdr_tone_mapper(HdrToSdrToneMapper::PreserveDetails)
            .build();
        video = video.video_preprocessors(VideoPreprocessor::builder().color_corrector(to_sdr).build());
    }
    let mut output = Output::builder()
        .name_modifier(format!("_{}", rung.name))
        .container_settings(ContainerSettings::builder().container(ContainerType::M3U8).build())
        .video_description(video.build());
    if job.audio {
        let aac = AacSettings::builder()
            .bitrate(int(AUDIO_BITRATE, "audio bitrate")?)
            .sample_rate(int(AUDIO_SAMPLE_RATE, "sample rate")?)
            .coding_mode(AacCodingMode::CodingMode20)
            .build();
        output = output.audio_descriptions(
            AudioDescription::builder()
                .audio_source_name(AUDIO_SELECTOR)
                .codec_settings(AudioCodecSettings::builder().codec(AudioCodec::Aac).aac_settings(aac).build())
                .build(),
        );
    }
    Ok(output.build())
}

/// QVBR quality: 8 for 1080p and above, 7 below (AWS's guidance for HLS ladders).
fn qvbr_quality(rung: &RungOutput) -> i32 {
    if rung.width.min(rung.height) >= 1080 {
        8
    } else {
        7
    }
}

fn int(value: u32, what: &str) -> ApiResult<i32> {
    i32::try_from(value).map_err(|_| ApiError::internal(format!("a {what} of {value} does not fit MediaConvert")))
}

/// A frame rate as MediaConvert takes it, numerator over denominator: whole
/// rates over 1, NTSC rates over 1001 (29.97 → 30000/1001), anything else in
/// thousandths, reduced (12.5 → 25/2).
pub fn frame_rate_fraction(rate: f64) -> (i32, i32) {
    if !rate.is_finite() || rate < 0.001 {
        return (30, 1);
    }
    let whole = rate.round();
    if (rate - whole).abs() < 0.001 {
        return (whole as i32, 1);
    }
    let ntsc = (rate * 1.001).round();
    if (rate - ntsc * 1000.0 / 1001.0).abs() < 0.001 {
        return ((ntsc as i32) * 1000, 1001);
    }
    let thousandths = (rate * 1000.0).round() as i32;
    let divisor = gcd(thousandths, 1000);
    (thousandths / divisor, 1000 / divisor)
}

fn gcd(a: i32, b: i32) -> i32 {
    if b == 0 {
        a.max(1)
    } else {
        gcd(b, a % b)
    }
}
