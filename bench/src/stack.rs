//! The bench's own tables and bucket in the local stack (prefix `bench_<pid>_`),
//! created from template.yaml like the tests' and removed at the end.

use std::collections::HashMap;

use vidlet::config::{Config, Table};
use vidlet::store::call_counter::CallCounter;
use vidlet::store::dynamo::Dynamo;
use vidlet::store::s3::Bucket;
use vidlet_tests::TestApp;

use crate::Result;

pub struct Stack {
    pub config: Config,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub s3: aws_sdk_s3::Client,
}

/// The local endpoints, as the Makefile and .cargo/config.toml set them.
pub fn endpoint(service: &str, default: &str) -> String {
    std::env::var(format!("AWS_ENDPOINT_URL_{service}")).unwrap_or_else(|_| default.to_owned())
}

impl Stack {
    /// Fresh tables `bench_<pid>_<tag>*` and bucket `vidlet-bench-<pid>-<tag>`.
    pub async fn create(tag: &str) -> Result<Self> {
        let pid = std::process::id();
        let prefix = format!("bench_{pid}_{tag}");
        let mut config = Config::default().with_table_prefix(&prefix);
        config.bucket = format!("vidlet-bench-{pid}-{}", tag.trim_end_matches('_').replace('_', "-"))
            .trim_end_matches('-')
            .to_owned();
        // The functions' own client settings, from the environment infra/bench.sh sets.
        let dynamodb = vidlet::store::client::dynamodb();
        let s3 = vidlet::store::client::s3();
        infra::bootstrap::bootstrap(&dynamodb, &s3, vidlet_tests::template(), &prefix, &config.bucket, &HashMap::new())
            .await
            .map_err(|e| format!("cannot bootstrap the local stack (is it running? bash localstack/start.sh): {e}"))?;
        Ok(Stack { config, dynamodb, s3 })
    }

    /// The tests' wiring of every handler, on this stack's tables and bucket.
    pub fn test_app(&self) -> TestApp {
        TestApp {
            config: self.config.clone(),
            db: Dynamo::new(self.dynamodb.clone(), &self.config),
            bucket: Bucket::new(self.s3.clone(), &self.config),
            dynamodb: self.dynamodb.clone(),
            s3: self.s3.clone(),
        }
    }

    /// The adapters the handlers get, on this stack's tables and bucket, on
    /// clients whose every storage call `counter` counts.
    pub fn counted(&self, counter: &CallCounter) -> (Dynamo, Bucket) {
        let db = Dynamo::new(counter.dynamodb_client(), &self.config);
        let bucket = Bucket::new(counter.s3_client(), &self.config);
        (db, bucket)
    }

    pub fn table(&self, table: Table) -> &str {
        self.config.table_name(table)
    }

    /// The environment Lambda gives a function, pointed at this stack.
    pub fn function_env(&self, function: &str) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = [
            ("PATH", "/usr/local/bin:/usr/bin:/bin"),
            ("LANG", "en_US.UTF-8"),
            ("TZ", ":UTC"),
            ("_HANDLER", "bootstrap"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ("AWS_LAMBDA_LOG_LEVEL", "INFO"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]bench"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        env.push(("AWS_LAMBDA_FUNCTION_NAME".into(), function.into()));
        env.push(("AWS_LAMBDA_LOG_GROUP_NAME".into(), format!("/aws/lambda/{function}")));
        env.push(("AWS_ENDPOINT_URL_DYNAMODB".into(), endpoint("DYNAMODB", "http://127.0.0.1:8000")));
        env.push(("AWS_ENDPOINT_URL_S3".into(), endpoint("S3", "http://127.0.0.1:4566")));
        for table in Table::ALL {
            env.push((table.env_var(), self.config.table_name(table).to_owned()));
        }
        env.push(("BUCKET_NAME".into(), self.config.bucket.clone()));
        env
    }

    /// Runs `body` on a fresh stack named by `prefix`, then destroys the stack whatever
    /// `body` gave; `body`'s error comes first.
    pub async fn scoped<T>(prefix: &str, body: impl AsyncFnOnce(&Stack) -> Result<T>) -> Result<T> {
        let stack = Stack::create(prefix).await?;
        let result = body(&stack).await;
        let cleanup = stack.destroy().await;
        let value = result?;
        cleanup?;
        Ok(value)
    }

    /// Deletes the tables and the bucket with everything in it.
    pub async fn destroy(&self) -> Result<()> {
        for table in Table::ALL {
            let _ = self.dynamodb.delete_table().table_name(self.table(table)).send().await;
        }
        crate::seed::empty_bucket(&self.s3, &self.config.bucket).await?;
        self.s3.delete_bucket().bucket(&self.config.bucket).send().await?;
        Ok(())
    }
}
