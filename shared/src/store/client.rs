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

/// The static credentials Lambda puts in the environment (with a session token).
macro_rules! credentials {
    ($sdk:ident) => {{
        match (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => {
                Some($sdk::config::Credentials::new(id, secret, env("AWS_SESSION_TOKEN"), None, "environment"))
            }
            _ => None,
        }
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
    let mut builder = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new(region()))
        .http_client(super::http_client::new())
        .retry_config(retry())
        .timeout_config(timeouts());
    if let Some(credentials) = credentials!(aws_sdk_dynamodb) {
        builder = builder.credentials_provider(credentials);
    }
    if let Some(url) = endpoint("DYNAMODB") {
        builder = builder.endpoint_url(url);
    }
    builder
}

#[cfg(feature = "dynamodb")]
pub fn dynamodb() -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::from_conf(dynamodb_config().build())
}

/// An S3 client's settings: path-style addressing when a local endpoint is set.
#[cfg(feature = "s3")]
pub fn s3_config() -> aws_sdk_s3::config::Builder {
    let endpoint = endpoint("S3");
    let mut builder = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new(region()))
        .http_client(super::http_client::new())
        .retry_config(retry())
        .timeout_config(timeouts())
        .force_path_style(endpoint.is_some());
    if let Some(credentials) = credentials!(aws_sdk_s3) {
        builder = builder.credentials_provider(credentials);
    }
    if let Some(url) = endpoint {
        builder = builder.endpoint_url(url);
    }
    builder
}

#[cfg(feature = "s3")]
pub fn s3() -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(s3_config().build())
}
