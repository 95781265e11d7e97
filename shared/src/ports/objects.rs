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

/// A part S3 holds for a multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartInfo {
    pub part_number: u32,
    pub size: u64,
    pub etag: String,
}

pub trait UploadUrls: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// A PUT URL that signs the key, the Content-Type, the Content-Length and
    /// `If-None-Match: *`, so that it writes a new object once and only once.
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

/// What S3 holds at a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    pub size: u64,
    pub content_type: Option<String>,
}

pub trait ObjectStat: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// The object's size and type (HeadObject), or None if there is none.
    /// Needs only s3:GetObject: without s3:ListBucket, S3 answers a missing
    /// key with 403, which reads as none too.
    fn stat(&self, key: &str) -> impl Future<Output = ApiResult<Option<ObjectHead>>> + Send;
}

pub trait ObjectRemover: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Deletes keys in `DeleteObjects` calls of up to 1000; a missing key is no error.
    fn delete_objects(&self, keys: &[String]) -> impl Future<Output = ApiResult<usize>> + Send;
    /// Deletes every object under a prefix.
    fn delete_prefix(&self, prefix: &str) -> impl Future<Output = ApiResult<usize>> + Send;
}

/// Starts an S3 multipart upload (the server does; clients only send parts).
pub trait MultipartStarter: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// The new upload's id.
    fn start_upload(&self, key: &str, content_type: &str) -> impl Future<Output = ApiResult<String>> + Send;
}

pub trait PartUrls: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// An UploadPart URL that signs the part's exact Content-Length.
    fn presign_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u32,
        length: u64,
        ttl_secs: u64,
    ) -> impl Future<Output = ApiResult<PresignedRequest>> + Send;
}

pub trait PartLister: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Every part S3 holds (all pages), or None when the upload no longer
    /// exists (completed or aborted).
    fn list_parts(&self, key: &str, upload_id: &str) -> impl Future<Output = ApiResult<Option<Vec<PartInfo>>>> + Send;
}

pub trait UploadCompleter: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Joins the parts into the object. Afterwards no part URL works.
    fn complete_upload(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[PartInfo],
    ) -> impl Future<Output = ApiResult<()>> + Send;
}

pub trait UploadLister: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// `(key, upload id)` of every multipart upload in progress.
    fn uploads_in_progress(&self) -> impl Future<Output = ApiResult<Vec<(String, String)>>> + Send;
}

pub trait UploadAborter: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// Aborts one; its parts are deleted and its part URLs stop working.
    fn abort_upload(&self, key: &str, upload_id: &str) -> impl Future<Output = ApiResult<()>> + Send;
}
