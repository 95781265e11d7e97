//! `ObjectStore` on S3: presigned URLs, HEAD, ranged reads and batch deletes.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use aws_sdk_s3::Client;

use crate::error::{ApiError, ApiResult};
use crate::ports::{ObjectStore, PresignedRequest};

/// DeleteObjects' limit.
pub const DELETE_OBJECTS_MAX: usize = 1000;

pub struct S3Objects {
    client: Client,
    bucket: String,
}

impl S3Objects {
    pub fn new(client: Client, bucket: &str) -> Self {
        S3Objects { client, bucket: bucket.to_owned() }
    }
}

fn presigning(ttl_secs: u64) -> ApiResult<PresigningConfig> {
    PresigningConfig::builder()
        .start_time(SystemTime::now())
        .expires_in(Duration::from_secs(ttl_secs))
        .build()
        .map_err(|e| ApiError::Internal(format!("presigning config: {e}")))
}

fn expires_at(ttl_secs: u64) -> String {
    crate::domain::rfc3339(crate::domain::now_epoch() + ttl_secs as i64)
}

#[async_trait]
impl ObjectStore for S3Objects {
    async fn presign_put(&self, key: &str, content_type: &str, length: u64, ttl_secs: u64) -> ApiResult<PresignedRequest> {
        let presigned = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(length as i64)
            .presigned(presigning(ttl_secs)?)
            .await
            .map_err(|e| ApiError::Internal(format!("presign put: {e}")))?;
        Ok(PresignedRequest {
            url: presigned.uri().to_owned(),
            method: presigned.method().to_owned(),
            // What the client must send: the signed type and length (not, say, a
            // trace header the SDK adds inside Lambda).
            headers: presigned
                .headers()
                .filter(|(k, _)| {
                    let k = k.to_ascii_lowercase();
                    k == "content-type" || k == "content-length" || k.starts_with("x-amz-")
                })
                .map(|(k, v)| (canonical_header(k), v.to_owned()))
                .collect(),
            expires_at: expires_at(ttl_secs),
        })
    }

    async fn presign_get(&self, key: &str, content_type: &str, ttl_secs: u64) -> ApiResult<String> {
        let presigned = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_type(content_type)
            .presigned(presigning(ttl_secs)?)
            .await
            .map_err(|e| ApiError::Internal(format!("presign get: {e}")))?;
        Ok(presigned.uri().to_owned())
    }

    async fn size_of(&self, key: &str) -> ApiResult<Option<u64>> {
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => Ok(Some(out.content_length.unwrap_or(0).max(0) as u64)),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    async fn read_range(&self, key: &str, offset: u64, length: u64) -> ApiResult<Vec<u8>> {
        if length == 0 {
            return Ok(Vec::new());
        }
        let range = format!("bytes={}-{}", offset, offset + length - 1);
        let out = self.client.get_object().bucket(&self.bucket).key(key).range(range).send().await?;
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| ApiError::Unavailable(format!("reading {key}: {e}")))?;
        Ok(bytes.into_bytes().to_vec())
    }

    async fn delete_objects(&self, keys: &[String]) -> ApiResult<usize> {
        let mut deleted = 0;
        for chunk in keys.chunks(DELETE_OBJECTS_MAX) {
            let objects = chunk
                .iter()
                .map(|key| ObjectIdentifier::builder().key(key).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            let out = self.client.delete_objects().bucket(&self.bucket).delete(delete).send().await?;
            if let Some(error) = out.errors().first() {
                return Err(ApiError::Unavailable(format!(
                    "DeleteObjects refused {:?}: {:?}",
                    error.key(),
                    error.code()
                )));
            }
            deleted += chunk.len();
        }
        Ok(deleted)
    }
}

/// `content-type` → `Content-Type`, as the API documents the upload headers.
fn canonical_header(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}
