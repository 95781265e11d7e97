//! The transcoder's S3 traffic: the original down, the ladder up.

use std::path::Path;
use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use aws_smithy_types::timeout::TimeoutConfig;
use tokio::io::AsyncWriteExt;

use crate::domain::ladder::{MASTER_PLAYLIST, PLAYLIST_CONTENT_TYPE, SEGMENT_CONTENT_TYPE};

/// The bucket, with a client whose timeouts fit whole files rather than API calls.
#[derive(Clone)]
pub struct Transfers {
    client: Client,
    bucket: String,
}

impl Transfers {
    pub fn new(bucket: &str) -> Self {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(2))
            .operation_attempt_timeout(Duration::from_secs(120))
            .operation_timeout(Duration::from_secs(300))
            .build();
        let config = crate::store::client::s3_config().timeout_config(timeouts).build();
        Transfers { client: Client::from_conf(config), bucket: bucket.to_owned() }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// GetObject `key` into the file `path`.
    pub async fn download(&self, key: &str, path: &Path) -> Result<u64, String> {
        let fail = |what: &str, err: &dyn std::fmt::Display| format!("{what} s3://{}/{key}: {err}", self.bucket);
        let object = self.client.get_object().bucket(&self.bucket).key(key).send().await;
        let mut body = object.map_err(|err| fail("GetObject", &aws_sdk_s3::error::DisplayErrorContext(err)))?.body;
        let mut file = tokio::fs::File::create(path).await.map_err(|err| fail("writing", &err))?;
        let mut size = 0;
        while let Some(chunk) = body.try_next().await.map_err(|err| fail("reading", &err))? {
            file.write_all(&chunk).await.map_err(|err| fail("writing", &err))?;
            size += chunk.len() as u64;
        }
        file.flush().await.map_err(|err| fail("writing", &err))?;
        Ok(size)
    }

    /// PutObject every playlist and segment of `dir` under `prefix`: the
    /// segments first, the rung playlists next, the master last, so that a
    /// playlist never names a segment that is not there yet.
    pub async fn upload_ladder(&self, dir: &Path, prefix: &str) -> Result<usize, String> {
        let mut names = Vec::new();
        let mut entries = tokio::fs::read_dir(dir).await.map_err(|err| format!("listing {}: {err}", dir.display()))?;
        while let Some(entry) = entries.next_entry().await.map_err(|err| format!("listing {}: {err}", dir.display()))? {
            if let Some(name) = entry.file_name().to_str() {
                names.push(name.to_owned());
            }
        }
        let rank = |name: &str| match name {
            MASTER_PLAYLIST => 2,
            _ if name.ends_with(".m3u8") => 1,
            _ => 0,
        };
        names.retain(|name| content_type(name).is_some());
        names.sort_by(|a, b| (rank(a), a).cmp(&(rank(b), b)));
        for name in &names {
            self.upload(&dir.join(name), &format!("{prefix}{name}")).await?;
        }
        Ok(names.len())
    }

    async fn upload(&self, path: &Path, key: &str) -> Result<(), String> {
        let fail = |err: &dyn std::fmt::Display| format!("PutObject s3://{}/{key}: {err}", self.bucket);
        let body = ByteStream::from_path(path).await.map_err(|err| fail(&err))?;
        let content_type = content_type(key).unwrap_or("application/octet-stream");
        let put = self.client.put_object().bucket(&self.bucket).key(key).content_type(content_type).body(body);
        put.send().await.map_err(|err| fail(&aws_sdk_s3::error::DisplayErrorContext(err)))?;
        Ok(())
    }
}

/// What a ladder file is served as; None for anything else ffmpeg may leave behind.
pub fn content_type(name: &str) -> Option<&'static str> {
    if name.ends_with(".m3u8") {
        Some(PLAYLIST_CONTENT_TYPE)
    } else if name.ends_with(".ts") {
        Some(SEGMENT_CONTENT_TYPE)
    } else {
        None
    }
}
