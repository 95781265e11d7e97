//! The one error type every command returns, and its exit code.

use std::path::Path;

pub type Result<T, E = CliError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The API answered with an error body (`{"error", "error_code"}`) or an unexpected status.
    #[error("{message} (error {code}, HTTP {status}){}", retry_hint(*.retry_after))]
    Api { status: u16, code: String, message: String, retry_after: Option<u64> },
    #[error("not logged in to {0}; run `vidlet login`")]
    NotLoggedIn(String),
    #[error("the session is no longer valid (expired or logged out); run `vidlet login`")]
    SessionRejected,
    #[error("cannot reach {url}: {reason}")]
    Network { url: String, reason: String },
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    #[error("{0}")]
    Input(String),
    #[error("upload failed: {0}")]
    Upload(String),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error("interrupted; run the same command again to resume")]
    Interrupted,
}

fn retry_hint(seconds: Option<u64>) -> String {
    seconds.map(|s| format!("; retry in {s} s")).unwrap_or_default()
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Interrupted => 130,
            _ => 1,
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            CliError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Network errors, 5xx and 429 may succeed when tried again.
    pub fn is_transient(&self) -> bool {
        match self {
            CliError::Network { .. } => true,
            CliError::Api { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        CliError::Io { context: context.into(), source }
    }

    pub fn io_at(action: &str, path: &Path, source: std::io::Error) -> Self {
        Self::io(format!("cannot {action} {}", path.display()), source)
    }
}
