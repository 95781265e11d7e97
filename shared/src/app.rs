//! The dependencies a handler gets: configuration and the ports, as traits.

use std::sync::Arc;

use aws_config::SdkConfig;

use crate::config::Config;
use crate::ports::AccountStore;
use crate::store::{self, dynamo_accounts::DynamoAccounts};

pub struct App {
    pub config: Config,
    pub accounts: Arc<dyn AccountStore>,
}

impl App {
    /// Wires the DynamoDB and S3 adapters. Built once per cold start.
    pub fn new(config: Config, aws: &SdkConfig) -> Self {
        Self::from_clients(config, store::dynamodb_client(aws), store::s3_client(aws))
    }

    pub fn from_clients(config: Config, dynamodb: aws_sdk_dynamodb::Client, _s3: aws_sdk_s3::Client) -> Self {
        App {
            accounts: Arc::new(DynamoAccounts::new(dynamodb, &config)),
            config,
        }
    }

    pub async fn from_env() -> Arc<Self> {
        let aws = store::load_aws_config().await;
        Arc::new(App::new(Config::from_env(), &aws))
    }
}
