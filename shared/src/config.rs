//! Configuration from environment variables, with the original project's defaults.

use std::env;

use crate::domain::playback::TranscodeMode;
use crate::domain::view::DEV_VIEWER_SALT;

/// Every DynamoDB table vidlet uses. `name()` is the local short name; on AWS
/// the SAM template passes the real names in `<NAME>_TABLE` variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    Users,
    Sessions,
    LoginAttempts,
    Videos,
    Comments,
    Deletions,
    Devices,
    /// Who viewed which video lately (a view counts once per viewer in a window).
    ViewMarks,
    /// Who likes which video (the video's `likes` counts them).
    Likes,
    /// Who follows whom (the follower's user item counts them).
    Follows,
    /// Search: an item per (word prefix, ready public video).
    SearchTerms,
}

impl Table {
    pub const ALL: [Table; 11] = [
        Table::Users,
        Table::Sessions,
        Table::LoginAttempts,
        Table::Videos,
        Table::Comments,
        Table::Deletions,
        Table::Devices,
        Table::ViewMarks,
        Table::Likes,
        Table::Follows,
        Table::SearchTerms,
    ];

    /// Short name, also the snake_case of the template's `<Name>Table` logical id.
    pub fn name(self) -> &'static str {
        match self {
            Table::Users => "users",
            Table::Sessions => "sessions",
            Table::LoginAttempts => "login_attempts",
            Table::Videos => "videos",
            Table::Comments => "comments",
            Table::Deletions => "deletions",
            Table::Devices => "devices",
            Table::ViewMarks => "view_marks",
            Table::Likes => "likes",
            Table::Follows => "follows",
            Table::SearchTerms => "search_terms",
        }
    }

    /// The environment variable holding the deployed table name.
    pub fn env_var(self) -> String {
        format!("{}_TABLE", self.name().to_uppercase())
    }
}

pub const MAX_UPLOAD_URL_TTL_SECS: u64 = 900;
const GIB: u64 = 1024 * 1024 * 1024;
pub const MAX_STREAM_URL_TTL_SECS: u64 = 3600;

#[derive(Clone, Debug)]
pub struct Config {
    /// Real table names, indexed like `Table::ALL`.
    pub table_names: Vec<String>,
    pub bucket: String,
    pub session_ttl_secs: i64,
    /// Session lifetime with "keep me signed in".
    pub remembered_session_ttl_secs: i64,
    pub max_upload_bytes: u64,
    /// Bytes each user may have stored (pending uploads count).
    pub user_quota_bytes: u64,
    /// The smallest part size the server plans (S3's floor is 5 MiB).
    pub min_part_bytes: u64,
    /// How long a pending upload may be resumed before the sweep expires it.
    pub upload_window_secs: i64,
    pub upload_url_ttl_secs: u64,
    pub stream_url_ttl_secs: u64,
    /// Failed password checks per user name (clients without a device token).
    /// Salts the hash that keys viewers (`VIEWER_SALT`, a secret on AWS).
    pub viewer_salt: String,
    pub login_max_failures: u32,
    /// Failed password checks per source address (clients without a device token).
    pub login_max_failures_per_address: u32,
    /// Failed password checks per device token.
    pub login_max_failures_per_device: u32,
    pub login_window_secs: i64,
    /// How long a device token vouches for its device.
    pub device_ttl_secs: i64,
    /// How long after an account's deletion the sweep purges what it left:
    /// longer than any request that read it live can still be running.
    pub account_purge_delay_secs: i64,
    /// Where the browser fetches presigned URLs from, for the page's CSP.
    pub s3_origin: String,
    /// The site's canonical origin, for absolute links in share cards: the first of
    /// `SITE_ORIGINS`. None (the variable set but empty, as on AWS without a `SiteOrigin`)
    /// means the origin the request came in on.
    pub site_origin: Option<String>,
    /// How many users one user may follow.
    pub max_following: u32,
    /// When a video gets an adaptive ladder (`TRANSCODE`: needed, always, off).
    pub transcode_mode: TranscodeMode,
    /// Above this bitrate (bits/s) even a playable original gets a ladder.
    pub transcode_max_bitrate: u64,
    /// The `x-origin-verify` value CloudFront sends (`ORIGIN_VERIFY_SECRET`): a request that
    /// carries it came through CloudFront, whose `cloudfront-viewer-address` is then trusted.
    pub origin_verify_secret: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            table_names: Config::prefixed_names("vidlet_"),
            bucket: "vidlet-videos".into(),
            session_ttl_secs: 1800,
            remembered_session_ttl_secs: 30 * 24 * 3600,
            max_upload_bytes: 5 * GIB,
            user_quota_bytes: 10 * GIB,
            min_part_bytes: 8 * 1024 * 1024,
            upload_window_secs: 24 * 3600,
            upload_url_ttl_secs: 900,
            stream_url_ttl_secs: 3600,
            viewer_salt: DEV_VIEWER_SALT.into(),
            login_max_failures: 10,
            login_max_failures_per_address: 100,
            login_max_failures_per_device: 10,
            login_window_secs: 15 * 60,
            device_ttl_secs: 180 * 24 * 3600,
            account_purge_delay_secs: 120,
            s3_origin: "http://127.0.0.1:4566".into(),
            site_origin: Some(LOCAL_SITE_ORIGIN.into()),
            max_following: 1000,
            transcode_mode: TranscodeMode::Needed,
            transcode_max_bitrate: 8_000_000,
            origin_verify_secret: None,
        }
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match env::var(name) {
        Ok(raw) => raw.parse().unwrap_or_else(|_| panic!("environment variable {name}={raw:?} is not valid")),
        Err(_) => default,
    }
}

/// The local endpoint if one is set, else the bucket's virtual-hosted origin on AWS.
fn s3_origin() -> String {
    let endpoint = env::var("AWS_ENDPOINT_URL_S3").or_else(|_| env::var("AWS_ENDPOINT_URL"));
    match endpoint {
        Ok(url) => url.trim_end_matches('/').to_owned(),
        Err(_) => {
            let bucket = env_or("BUCKET_NAME", Config::default().bucket);
            let region = env_or("AWS_REGION", "us-east-1".to_string());
            format!("https://{bucket}.s3.{region}.amazonaws.com")
        }
    }
}

/// The origin `make dev` serves the site on.
pub const LOCAL_SITE_ORIGIN: &str = "http://127.0.0.1:9000";

/// The first of the comma-separated `SITE_ORIGINS`; the local one when unset.
fn site_origin() -> Option<String> {
    match env::var("SITE_ORIGINS") {
        Ok(list) => list.split(',').map(|o| o.trim().trim_end_matches('/')).find(|o| !o.is_empty()).map(str::to_owned),
        Err(_) => Some(LOCAL_SITE_ORIGIN.to_owned()),
    }
}

/// `TRANSCODE`: needed (the default), always or off.
fn transcode_mode() -> TranscodeMode {
    match env::var("TRANSCODE") {
        Ok(raw) => TranscodeMode::parse(&raw)
            .unwrap_or_else(|| panic!("environment variable TRANSCODE={raw:?} is not needed, always or off")),
        Err(_) => TranscodeMode::default(),
    }
}

impl Config {
    pub fn from_env() -> Self {
        let d = Config::default();
        let prefix: String = env_or("TABLE_PREFIX", "vidlet_".to_string());
        Config {
            table_names: Table::ALL.iter().map(|t| env_or(&t.env_var(), format!("{prefix}{}", t.name()))).collect(),
            bucket: env_or("BUCKET_NAME", d.bucket),
            session_ttl_secs: env_or("SESSION_TTL_SECONDS", d.session_ttl_secs),
            remembered_session_ttl_secs: env_or("REMEMBERED_SESSION_TTL_SECONDS", d.remembered_session_ttl_secs),
            max_upload_bytes: env_or("MAX_UPLOAD_BYTES", d.max_upload_bytes),
            user_quota_bytes: env_or("USER_QUOTA_BYTES", d.user_quota_bytes),
            min_part_bytes: env_or("MIN_PART_BYTES", d.min_part_bytes),
            upload_window_secs: env_or("UPLOAD_WINDOW_SECONDS", d.upload_window_secs),
            // Presigned URLs never outlive 15 minutes (uploads) or an hour (streams).
            upload_url_ttl_secs: env_or("UPLOAD_URL_TTL_SECONDS", d.upload_url_ttl_secs).min(MAX_UPLOAD_URL_TTL_SECS),
            stream_url_ttl_secs: env_or("STREAM_URL_TTL_SECONDS", d.stream_url_ttl_secs).min(MAX_STREAM_URL_TTL_SECS),
            viewer_salt: env_or("VIEWER_SALT", d.viewer_salt),
            login_max_failures: env_or("LOGIN_MAX_FAILURES", d.login_max_failures),
            login_max_failures_per_address: env_or("LOGIN_MAX_FAILURES_PER_ADDRESS", d.login_max_failures_per_address),
            login_max_failures_per_device: env_or("LOGIN_MAX_FAILURES_PER_DEVICE", d.login_max_failures_per_device),
            login_window_secs: env_or("LOGIN_WINDOW_SECONDS", d.login_window_secs),
            device_ttl_secs: env_or("DEVICE_TTL_SECONDS", d.device_ttl_secs),
            account_purge_delay_secs: env_or("ACCOUNT_PURGE_DELAY_SECONDS", d.account_purge_delay_secs),
            s3_origin: s3_origin(),
            site_origin: site_origin(),
            max_following: env_or("MAX_FOLLOWING", d.max_following),
            transcode_mode: transcode_mode(),
            transcode_max_bitrate: env_or("TRANSCODE_MAX_BITRATE", d.transcode_max_bitrate),
            // Unset or empty: no request is taken as CloudFront's.
            origin_verify_secret: env::var("ORIGIN_VERIFY_SECRET").ok().filter(|s| !s.is_empty()),
        }
    }

    /// Local names: the prefix plus each table's short name.
    pub fn prefixed_names(prefix: &str) -> Vec<String> {
        Table::ALL.iter().map(|t| format!("{prefix}{}", t.name())).collect()
    }

    pub fn with_table_prefix(mut self, prefix: &str) -> Self {
        self.table_names = Config::prefixed_names(prefix);
        self
    }

    /// The password-guess throttle's limits.
    pub fn guess_limits(&self) -> crate::domain::throttle::Limits {
        crate::domain::throttle::Limits {
            per_device: self.login_max_failures_per_device,
            per_user: self.login_max_failures,
            per_address: self.login_max_failures_per_address,
            window_secs: self.login_window_secs,
        }
    }

    pub fn table_name(&self, table: Table) -> &str {
        let index = Table::ALL.iter().position(|t| *t == table).expect("every table is in ALL");
        &self.table_names[index]
    }
}
