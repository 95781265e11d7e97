//! S3 multipart uploads: the server starts, lists, completes and aborts them;
//! clients only send parts, through presigned UploadPart URLs.

use std::time::Duration;

use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};

use super::s3::{client_request, presigning, Objects};
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::ports::{
    MultipartStarter, PartInfo, PartLister, PartUrls, PresignedRequest, UploadAborter, UploadCompleter, UploadLister,
};
use crate::store::OrUnavailable;

/// Joining the parts of a multi-GiB object is slow; API Gateway waits 30 s.
const COMPLETE_TIMEOUT: Duration = Duration::from_secs(25);

fn no_such_upload<E: ProvideErrorMetadata>(err: &E) -> bool {
    err.code() == Some("NoSuchUpload")
}

impl MultipartStarter for Objects {
    fn access(&self) -> Vec<Access> {
        self.on_objects("s3:PutObject")
    }

    async fn start_upload(&self, key: &str, content_type: &str) -> ApiResult<String> {
        let create = self.client().create_multipart_upload().bucket(self.bucket()).key(self.key(key)?);
        let out = create.content_type(content_type).send().await.or_unavailable("CreateMultipartUpload", key)?;
        out.upload_id.ok_or_else(|| ApiError::internal("CreateMultipartUpload answered no upload id"))
    }
}

impl PartUrls for Objects {
    fn access(&self) -> Vec<Access> {
        self.on_objects("s3:PutObject")
    }

    async fn presign_part(
        &self,
        key: &str,
        upload_id: &str,
        part_number: u32,
        length: u64,
        ttl_secs: u64,
    ) -> ApiResult<PresignedRequest> {
        let presigned = self
            .client()
            .upload_part()
            .bucket(self.bucket())
            .key(self.key(key)?)
            .upload_id(upload_id)
            .part_number(part_number as i32)
            .content_length(length as i64)
            .presigned(presigning(ttl_secs)?)
            .await
            .map_err(|e| ApiError::internal_from("presigning an UploadPart", e))?;
        Ok(client_request(&presigned, ttl_secs))
    }
}

impl PartLister for Objects {
    fn access(&self) -> Vec<Access> {
        self.on_objects("s3:ListMultipartUploadParts")
    }

    async fn list_parts(&self, key: &str, upload_id: &str) -> ApiResult<Option<Vec<PartInfo>>> {
        let list = self.client().list_parts().bucket(self.bucket()).key(self.key(key)?).upload_id(upload_id);
        let mut pages = list.into_paginator().send();
        let mut parts = Vec::new();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(err) if err.as_service_error().is_some_and(no_such_upload) => return Ok(None),
                Err(err) => return Err(err).or_unavailable("ListParts", key),
            };
            parts.extend(page.parts().iter().filter_map(|part| {
                Some(PartInfo {
                    part_number: u32::try_from(part.part_number?).ok()?,
                    size: u64::try_from(part.size?).ok()?,
                    etag: part.e_tag.clone()?,
                })
            }));
        }
        Ok(Some(parts))
    }
}

impl UploadCompleter for Objects {
    fn access(&self) -> Vec<Access> {
        self.on_objects("s3:PutObject")
    }

    async fn complete_upload(&self, key: &str, upload_id: &str, parts: &[PartInfo]) -> ApiResult<()> {
        let completed = parts
            .iter()
            .map(|part| CompletedPart::builder().part_number(part.part_number as i32).e_tag(&part.etag).build())
            .collect();
        let upload = CompletedMultipartUpload::builder().set_parts(Some(completed)).build();
        let complete =
            self.client().complete_multipart_upload().bucket(self.bucket()).key(self.key(key)?).upload_id(upload_id);
        // S3 takes seconds to join a large object: allow it most of API Gateway's 30 s.
        let patient = aws_sdk_s3::config::Builder::default().timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(COMPLETE_TIMEOUT)
                .operation_timeout(COMPLETE_TIMEOUT)
                .build(),
        );
        let request = complete.multipart_upload(upload).customize().config_override(patient);
        request.send().await.or_unavailable("CompleteMultipartUpload", key)?;
        Ok(())
    }
}

impl UploadLister for Objects {
    fn access(&self) -> Vec<Access> {
        vec![Access::bucket("s3:ListBucketMultipartUploads")]
    }

    async fn uploads_in_progress(&self) -> ApiResult<Vec<(String, String)>> {
        let mut uploads = Vec::new();
        for prefix in self.prefixes() {
            let (mut key_marker, mut id_marker) = (None, None);
            loop {
                let out = self
                    .client()
                    .list_multipart_uploads()
                    .bucket(self.bucket())
                    .prefix(*prefix)
                    .set_key_marker(key_marker)
                    .set_upload_id_marker(id_marker)
                    .send()
                    .await
                    .or_unavailable("ListMultipartUploads", prefix)?;
                let found = out.uploads().iter().filter_map(|u| Some((u.key.clone()?, u.upload_id.clone()?)));
                uploads.extend(found);
                if !out.is_truncated.unwrap_or(false) {
                    break;
                }
                (key_marker, id_marker) = (out.next_key_marker, out.next_upload_id_marker);
            }
        }
        Ok(uploads)
    }
}

impl UploadAborter for Objects {
    fn access(&self) -> Vec<Access> {
        self.on_objects("s3:AbortMultipartUpload")
    }

    async fn abort_upload(&self, key: &str, upload_id: &str) -> ApiResult<()> {
        let abort =
            self.client().abort_multipart_upload().bucket(self.bucket()).key(self.key(key)?).upload_id(upload_id);
        match abort.send().await {
            Ok(_) => Ok(()),
            Err(err) if err.as_service_error().is_some_and(no_such_upload) => Ok(()),
            Err(err) => Err(err).or_unavailable("AbortMultipartUpload", key),
        }
    }
}
