//! Adapters: the capabilities implemented on DynamoDB and S3. Each function's
//! `main` builds only the clients its handler needs.

pub mod call_counter;
pub mod client;
#[cfg(feature = "dynamodb")]
pub mod dynamo;
mod http_client;
#[cfg(feature = "s3")]
mod multipart;
#[cfg(feature = "s3")]
pub mod s3;

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
