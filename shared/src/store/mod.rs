//! Adapters: the capabilities implemented on DynamoDB and S3. Each function's
//! `main` builds only the clients its handler needs.

pub mod call_counter;
pub mod client;
#[cfg(feature = "cookies")]
pub mod cloudfront;
#[cfg(feature = "dynamodb")]
pub mod dynamo;
#[cfg(feature = "transcode")]
pub mod ffmpeg;
mod http_client;
#[cfg(feature = "transcode")]
pub mod mediaconvert;
#[cfg(feature = "s3")]
mod multipart;
#[cfg(feature = "playlists")]
mod playlists;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "transcode")]
pub mod transcoders;

use crate::error::ApiError;

/// Turns a failed SDK call into a 503 that names the call, keeping its cause.
pub(crate) trait OrUnavailable<T> {
    /// `operation` on `target`, e.g. `GetItem` on a table, `HeadObject` on a key.
    fn or_unavailable(self, operation: &'static str, target: &str) -> Result<T, ApiError>;
}

impl<T, E> OrUnavailable<T> for Result<T, E>
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn or_unavailable(self, operation: &'static str, target: &str) -> Result<T, ApiError> {
        self.map_err(|err| ApiError::unavailable(format!("{operation} {target}"), err))
    }
}
