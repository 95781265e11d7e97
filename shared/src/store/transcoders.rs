//! The transcoder a function uses: MediaConvert on AWS, ffmpeg locally
//! (`TRANSCODER=ffmpeg`, which `make dev` and `make test` set).

use crate::access::Access;
use crate::config::Config;
use crate::error::ApiResult;
use crate::ports::{TranscodeJob, Transcoder};
use crate::store::ffmpeg::Ffmpeg;
use crate::store::mediaconvert::MediaConvert;

pub enum Transcoders {
    MediaConvert(MediaConvert),
    Ffmpeg(Ffmpeg),
}

impl Transcoders {
    /// As `TRANSCODER` says: `ffmpeg`, or MediaConvert (the default).
    pub fn from_env(config: &Config) -> Self {
        match std::env::var("TRANSCODER").as_deref() {
            Ok("ffmpeg") => Transcoders::Ffmpeg(Ffmpeg::from_env(config)),
            _ => Transcoders::MediaConvert(MediaConvert::from_env(config)),
        }
    }
}

impl Transcoder for Transcoders {
    /// What the deployed function may do: MediaConvert's needs. The ffmpeg
    /// adapter runs only against the local stack, which enforces no IAM.
    fn access(&self) -> Vec<Access> {
        MediaConvert::ACCESS.to_vec()
    }

    async fn submit(&self, job: &TranscodeJob) -> ApiResult<String> {
        match self {
            Transcoders::MediaConvert(mediaconvert) => mediaconvert.submit(job).await,
            Transcoders::Ffmpeg(ffmpeg) => ffmpeg.submit(job).await,
        }
    }
}
