//! Domain types and their validation. No I/O and no HTTP here.

pub mod account;
pub mod ladder;
pub mod page;
pub mod playback;
pub mod search;
pub mod throttle;
pub mod transcode;
pub mod upload;
pub mod video;
pub mod view;

/// A value that breaks a rule: which field, and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid field `{field}`: {rule}")]
pub struct Invalid {
    pub field: &'static str,
    pub rule: String,
}

impl Invalid {
    pub fn new(field: &'static str, rule: impl Into<String>) -> Self {
        Invalid { field, rule: rule.into() }
    }
}

/// Seconds since the Unix epoch.
pub fn now_epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An RFC 3339 UTC timestamp, as every API response writes time.
pub fn rfc3339(epoch_secs: i64) -> String {
    chrono::DateTime::from_timestamp(epoch_secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
