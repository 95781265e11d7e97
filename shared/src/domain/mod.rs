//! Domain types and their validation. No I/O here.

pub mod account;
pub mod media;
pub mod video;

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
