//! AWS clients built for Lambda: region and credentials from the variables
//! Lambda sets, endpoints from `AWS_ENDPOINT_URL_*` (the local stack), one
//! HTTP client with compiled-in roots, and timeouts and retries that turn an outage into a
//! quick 503. No provider chain, no profile files, no IMDS.

use std::time::Duration;

use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn region() -> String {
    env("AWS_REGION").or_else(|| env("AWS_DEFAULT_REGION")).unwrap_or_else(|| "us-east-1".into())
}

/// `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, as the SDKs read them.
pub fn endpoint(service: &str) -> Option<String> {
    env(&format!("AWS_ENDPOINT_URL_{service}")).or_else(|| env("AWS_ENDPOINT_URL"))
}

/// An SDK's config builder as every client here starts: Lambda's region and
/// static credentials (with the session token), the one HTTP client, and the
/// retries and timeouts below; the endpoint from `AWS_ENDPOINT_URL_<SERVICE>`.
macro_rules! lambda_config {
    ($sdk:ident, $service:literal) => {{
        let mut builder = $sdk::Config::builder()
            .behavior_version($sdk::config::BehaviorVersion::latest())
            .region($sdk::config::Region::new(region()))
            .http_client(super::http_client::new())
            .retry_config(retry())
            .timeout_config(timeouts());
        if let (Some(id), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
            let credentials = $sdk::config::Credentials::new(id, secret, env("AWS_SESSION_TOKEN"), None, "environment");
            builder = builder.credentials_provider(credentials);
        }
        if let Some(url) = endpoint($service) {
            builder = builder.endpoint_url(url);
        }
        builder
    }};
}

fn retry() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(3)
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(1))
        .operation_attempt_timeout(Duration::from_secs(3))
        .operation_timeout(Duration::from_secs(8))
        .build()
}

/// A DynamoDB client's settings, for callers that add to them (an endpoint, an interceptor).
#[cfg(feature = "dynamodb")]
pub fn dynamodb_config() -> aws_sdk_dynamodb::config::Builder {
    lambda_config!(aws_sdk_dynamodb, "DYNAMODB")
}

#[cfg(feature = "dynamodb")]
pub fn dynamodb() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(dynamodb_config().build())
}

/// An S3 client's settings: path-style addressing when a local endpoint is set.
#[cfg(feature = "s3")]
pub fn s3_config() -> aws_sdk_s3::config::Builder {
    lambda_config!(aws_sdk_s3, "S3").force_path_style(endpoint("S3").is_some())
}

#[cfg(feature = "s3")]
pub fn s3() -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(s3_config().build())
}

/// A MediaConvert client's settings (its regional endpoint: no DescribeEndpoints).
#[cfg(feature = "transcode")]
pub fn mediaconvert_config() -> aws_sdk_mediaconvert::config::Builder {
    lambda_config!(aws_sdk_mediaconvert, "MEDIACONVERT")
}

#[cfg(feature = "transcode")]
pub fn mediaconvert() -> aws_sdk_mediaconvert::Client {
    aws_sdk_mediaconvert::Client::from_conf(mediaconvert_config().build())
}
