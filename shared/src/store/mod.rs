//! Adapters: the ports implemented on DynamoDB and S3.

pub mod call_counter;
pub mod dynamo_accounts;
pub mod dynamo_util;
pub mod dynamo_videos;
pub mod s3_objects;

use std::time::Duration;

use aws_config::{retry::RetryConfig, timeout::TimeoutConfig, BehaviorVersion, SdkConfig};

/// Loads the AWS configuration once per cold start. Endpoints come from the
/// standard `AWS_ENDPOINT_URL_*` variables, so the local stack needs no code branch.
/// Timeouts and retries are bounded so that a storage outage becomes a quick 503.
pub async fn load_aws_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(1))
                .operation_attempt_timeout(Duration::from_secs(3))
                .operation_timeout(Duration::from_secs(8))
                .build(),
        )
        .load()
        .await
}

pub fn dynamodb_client(config: &SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}

pub fn s3_client(config: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(s3_config(config))
}

/// Path-style addressing when a custom endpoint (the local stack) is set.
pub fn s3_config(config: &SdkConfig) -> aws_sdk_s3::Config {
    let custom_endpoint = std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL").is_some();
    aws_sdk_s3::config::Builder::from(config).force_path_style(custom_endpoint).build()
}
