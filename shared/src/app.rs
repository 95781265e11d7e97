//! The dependencies a handler gets: configuration and the ports, as traits.

use std::sync::Arc;

use aws_config::SdkConfig;

use crate::config::Config;
use crate::ports::{AccountStore, CommentStore, DeletionQueue, ObjectStore, VideoStore};
use crate::store::{self, dynamo_accounts::DynamoAccounts, dynamo_videos::DynamoVideos, s3_objects::S3Objects};

pub struct App {
    pub config: Config,
    pub accounts: Arc<dyn AccountStore>,
    pub videos: Arc<dyn VideoStore>,
    pub comments: Arc<dyn CommentStore>,
    pub deletions: Arc<dyn DeletionQueue>,
    pub objects: Arc<dyn ObjectStore>,
}

impl App {
    /// Wires the DynamoDB and S3 adapters. Built once per cold start.
    pub fn new(config: Config, aws: &SdkConfig) -> Self {
        Self::from_clients(config, store::dynamodb_client(aws), store::s3_client(aws))
    }

    pub fn from_clients(config: Config, dynamodb: aws_sdk_dynamodb::Client, s3: aws_sdk_s3::Client) -> Self {
        let videos = Arc::new(DynamoVideos::new(dynamodb.clone(), &config));
        App {
            accounts: Arc::new(DynamoAccounts::new(dynamodb, &config)),
            videos: videos.clone(),
            comments: videos.clone(),
            deletions: videos,
            objects: Arc::new(S3Objects::new(s3, &config.bucket)),
            config,
        }
    }

    pub async fn from_env() -> Arc<Self> {
        let aws = store::load_aws_config().await;
        Arc::new(App::new(Config::from_env(), &aws))
    }
}
