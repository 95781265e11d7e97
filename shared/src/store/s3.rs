//! The capabilities on S3, each scoped to key prefixes: a `Bucket` handed to
//! a handler as `bucket.scoped(&["videos/"])` refuses any other key, as the
//! function's IAM policy would.

use std::time::{Duration, SystemTime};

use aws_sdk_s3::presigning::{PresignedRequest as PresignedRequest_, PresigningConfig};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use aws_sdk_s3::Client;

use crate::access::Access;
use crate::config::Config;
use crate::domain::{now_epoch, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::ports::{
    DownloadUrls, ObjectHead, ObjectInspector, ObjectRemover, ObjectStat, PresignedRequest, UploadUrls,
};
use crate::store::OrUnavailable;

/// DeleteObjects' limit.
pub const DELETE_OBJECTS_MAX: usize = 1000;
pub const VIDEOS: &[&str] = &["videos/"];
pub const POSTERS: &[&str] = &["posters/"];
/// The adaptive ladders (playlists and segments).
pub const RENDITIONS: &[&str] = &["hls/"];
/// Everything a deletion record names.
pub const MEDIA: &[&str] = &["videos/", "posters/", "hls/"];

#[derive(Clone)]
pub struct Bucket {
    client: Client,
    name: String,
}

impl Bucket {
    pub fn new(client: Client, config: &Config) -> Self {
        Bucket { client, name: config.bucket.clone() }
    }

    /// The client from the environment, as Lambda (or the local stack) sets it.
    pub fn from_env(config: &Config) -> Self {
        Self::new(crate::store::client::s3(), config)
    }

    /// The objects under these prefixes, and no others.
    pub fn scoped(&self, prefixes: &'static [&'static str]) -> Objects {
        Objects { bucket: self.clone(), prefixes }
    }
}

#[derive(Clone)]
pub struct Objects {
    bucket: Bucket,
    prefixes: &'static [&'static str],
}

impl Objects {
    pub(super) fn key<'k>(&self, key: &'k str) -> ApiResult<&'k str> {
        if self.prefixes.iter().any(|prefix| key.starts_with(prefix)) {
            Ok(key)
        } else {
            Err(ApiError::internal(format!("key {key} is outside {:?}", self.prefixes)))
        }
    }

    pub(super) fn on_objects(&self, action: &'static str) -> Vec<Access> {
        self.prefixes.iter().map(|prefix| Access::objects(action, prefix)).collect()
    }

    pub(super) fn prefixes(&self) -> &'static [&'static str] {
        self.prefixes
    }

    pub(super) fn client(&self) -> &Client {
        &self.bucket.client
    }

    pub(super) fn bucket(&self) -> &str {
        &self.bucket.name
    }
}

pub(super) fn presigning(ttl_secs: u64) -> ApiResult<PresigningConfig> {
    PresigningConfig::builder()
        .start_time(SystemTime::now())
        .expires_in(Duration::from_secs(ttl_secs))
        .build()
        .map_err(|e| ApiError::internal_from("presigning config", e))
}

impl UploadUrls for Objects {
    fn access(&self) -> Vec<Access> {
        self.on_objects("s3:PutObject")
    }

    async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        length: u64,
        ttl_secs: u64,
    ) -> ApiResult<PresignedRequest> {
        let presigned = self
            .client()
            .put_object()
            .bucket(self.bucket())
            .key(self.key(key)?)
            .content_type(content_type)
            .content_length(length as i64)
            .if_none_match("*")
            .presigned(presigning(ttl_secs)?)
            .await
            .map_err(|e| ApiError::internal_from("presigning a PUT", e))?;
        Ok(client_request(&presigned, ttl_secs))
    }
}

/// What the client must send: the URL and the signed headers (not, say, a
/// trace header the SDK adds inside Lambda).
pub(super) fn client_request(presigned: &PresignedRequest_, ttl_secs: u64) -> PresignedRequest {
    PresignedRequest {
        url: presigned.uri().to_owned(),
        method: presigned.method().to_owned(),
        headers: presigned
            .headers()
            .filter(|(k, _)| {
                let k = k.to_ascii_lowercase();
                k == "content-type" || k == "content-length" || k == "if-none-match" || k.starts_with("x-amz-")
            })
            .map(|(k, v)| (canonical_header(k), v.to_owned()))
            .collect(),
        expires_at: rfc3339(now_epoch() + ttl_secs as i64),
    }
}

impl DownloadUrls for Objects {
    fn access(&self) -> Vec<Access> {
        self.on_objects("s3:GetObject")
    }

    async fn presign_get(&self, key: &str, content_type: &str, ttl_secs: u64) -> ApiResult<String> {
        let presigned = self
            .client()
            .get_object()
            .bucket(self.bucket())
            .key(self.key(key)?)
            .response_content_type(content_type)
            .presigned(presigning(ttl_secs)?)
            .await
            .map_err(|e| ApiError::internal_from("presigning a GET", e))?;
        Ok(presigned.uri().to_owned())
    }
}

impl ObjectInspector for Objects {
    fn access(&self) -> Vec<Access> {
        // On AWS a HEAD of a missing key is 404 only with ListBucket; else 403.
        [self.on_objects("s3:GetObject"), vec![Access::bucket("s3:ListBucket")]].concat()
    }

    async fn size_of(&self, key: &str) -> ApiResult<Option<u64>> {
        match self.client().head_object().bucket(self.bucket()).key(self.key(key)?).send().await {
            Ok(out) => Ok(Some(out.content_length.unwrap_or(0).max(0) as u64)),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(err) => Err(err).or_unavailable("HeadObject", key),
        }
    }

    async fn read_range(&self, key: &str, offset: u64, length: u64) -> ApiResult<Vec<u8>> {
        if length == 0 {
            return Ok(Vec::new());
        }
        let range = format!("bytes={}-{}", offset, offset + length - 1);
        let get = self.client().get_object().bucket(self.bucket()).key(self.key(key)?).range(range);
        let out = get.send().await.or_unavailable("GetObject", key)?;
        let bytes = out.body.collect().await.or_unavailable("GetObject (body)", key)?;
        Ok(bytes.into_bytes().to_vec())
    }
}

impl ObjectStat for Objects {
    fn access(&self) -> Vec<Access> {
        self.on_objects("s3:GetObject")
    }

    async fn stat(&self, key: &str) -> ApiResult<Option<ObjectHead>> {
        match self.client().head_object().bucket(self.bucket()).key(self.key(key)?).send().await {
            Ok(out) => {
                let size = out.content_length.unwrap_or(0).max(0) as u64;
                Ok(Some(ObjectHead { size, content_type: out.content_type }))
            }
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            // Without s3:ListBucket (not granted), a missing key is 403.
            Err(err) if err.raw_response().is_some_and(|r| r.status().as_u16() == 403) => {
                tracing::info!(key, "HeadObject answered 403: taken as no object");
                Ok(None)
            }
            Err(err) => Err(err).or_unavailable("HeadObject", key),
        }
    }
}

impl ObjectRemover for Objects {
    fn access(&self) -> Vec<Access> {
        // Deleting by prefix lists the keys first.
        [self.on_objects("s3:DeleteObject"), vec![Access::bucket("s3:ListBucket")]].concat()
    }

    async fn delete_objects(&self, keys: &[String]) -> ApiResult<usize> {
        let mut deleted = 0;
        for chunk in keys.chunks(DELETE_OBJECTS_MAX) {
            let objects = chunk
                .iter()
                .map(|key| ObjectIdentifier::builder().key(self.key(key)?).build().map_err(building))
                .collect::<ApiResult<Vec<_>>>()?;
            let delete = Delete::builder().set_objects(Some(objects)).quiet(true).build().map_err(building)?;
            let request = self.client().delete_objects().bucket(self.bucket()).delete(delete);
            let out = request.send().await.or_unavailable("DeleteObjects", self.bucket())?;
            if let Some(error) = out.errors().first() {
                let cause = std::io::Error::other(format!("{:?}: {:?}", error.key(), error.code()));
                return Err(ApiError::unavailable(format!("DeleteObjects {}", self.bucket()), cause));
            }
            deleted += chunk.len();
        }
        Ok(deleted)
    }

    async fn delete_prefix(&self, prefix: &str) -> ApiResult<usize> {
        // A page listed, a page deleted: never more than a page of keys held.
        let mut deleted = 0;
        let mut pages =
            self.client().list_objects_v2().bucket(self.bucket()).prefix(self.key(prefix)?).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.or_unavailable("ListObjectsV2", prefix)?;
            let keys: Vec<String> =
                page.contents().iter().filter_map(|object| object.key().map(str::to_owned)).collect();
            deleted += ObjectRemover::delete_objects(self, &keys).await?;
        }
        Ok(deleted)
    }
}

fn building(err: aws_sdk_s3::error::BuildError) -> ApiError {
    ApiError::internal_from("building an S3 request", err)
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
