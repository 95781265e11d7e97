//! The bucket: presigned URLs, inspection of uploads, and deletes.

use std::collections::BTreeMap;
use std::future::Future;

use crate::access::Access;
use crate::error::ApiResult;

/// A presigned request the client sends as is.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PresignedRequest {
    pub url: String,
    pub method: String,
    pub headers: BTreeMap<String, String>,
    pub expires_at: String,
}

pub trait UploadUrls: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// A PUT URL that signs the key, the Content-Type and the Content-Length.
    fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        length: u64,
        ttl_secs: u64,
    ) -> impl Future<Output = ApiResult<PresignedRequest>> + Send;
}

pub trait DownloadUrls: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// A GET URL (range-capable) that makes S3 answer with `content_type`.
    fn presign_get(
        &self,
        key: &str,
        content_type: &str,
        ttl_secs: u64,
    ) -> impl Future<Output = ApiResult<String>> + Send;
}

pub trait ObjectInspector: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// The object's size, or None if it does not exist.
    fn size_of(&self, key: &str) -> impl Future<Output = ApiResult<Option<u64>>> + Send;
    /// Bytes `[offset, offset + length)`, fewer at the end of the object.
    fn read_range(&self, key: &str, offset: u64, length: u64) -> impl Future<Output = ApiResult<Vec<u8>>> + Send;
}

pub trait ObjectRemover: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Deletes keys in `DeleteObjects` calls of up to 1000; a missing key is no error.
    fn delete_objects(&self, keys: &[String]) -> impl Future<Output = ApiResult<usize>> + Send;
}
