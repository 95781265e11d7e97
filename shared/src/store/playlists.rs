//! The ladder's playlists, read from the bucket (get-playlist).

use super::s3::Objects;
use crate::access::Access;
use crate::error::{ApiError, ApiResult};
use crate::ports::PlaylistReader;
use crate::store::OrUnavailable;

impl PlaylistReader for Objects {
    fn access(&self) -> Vec<Access> {
        self.on_objects("s3:GetObject")
    }

    async fn read_playlist(&self, key: &str, max_bytes: u64) -> ApiResult<Option<Vec<u8>>> {
        let get = self.client().get_object().bucket(self.bucket()).key(self.key(key)?);
        let out = match get.send().await {
            Ok(out) => out,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => return Ok(None),
            // Without s3:ListBucket (not granted), a missing key is 403.
            Err(err) if err.raw_response().is_some_and(|r| r.status().as_u16() == 403) => {
                tracing::info!(key, "GetObject answered 403: taken as no object");
                return Ok(None);
            }
            Err(err) => return Err(err).or_unavailable("GetObject", key),
        };
        let size = out.content_length.unwrap_or(0).max(0) as u64;
        if size > max_bytes {
            return Err(ApiError::internal(format!("playlist {key} is {size} bytes, more than {max_bytes}")));
        }
        let bytes = out.body.collect().await.or_unavailable("GetObject (body)", key)?.into_bytes();
        // The length S3 announced bounds the body, but check what came.
        if bytes.len() as u64 > max_bytes {
            return Err(ApiError::internal(format!("playlist {key} is larger than {max_bytes} bytes")));
        }
        Ok(Some(bytes.to_vec()))
    }
}
