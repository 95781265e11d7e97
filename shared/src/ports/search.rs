//! Search over ready, public videos. The index itself is kept by the writes
//! that change what search may show (publish, edit, delete: see
//! `store::dynamo::search`), so no handler writes it.

use std::future::Future;

use crate::access::Access;
use crate::domain::page::{Page, PageRequest};
use crate::domain::search::SearchQuery;
use crate::domain::video::Video;
use crate::error::ApiResult;

pub trait VideoSearcher: Send + Sync {
    fn access(&self) -> Vec<Access>;
    /// One page of the index for `query`, newest first, as the videos now
    /// are: the caller drops those no longer searchable or no longer matching
    /// (an index write may lag the video). The page may hold fewer than
    /// `limit` videos while `next_cursor` says more may follow.
    fn search(&self, query: &SearchQuery, page: &PageRequest) -> impl Future<Output = ApiResult<Page<Video>>> + Send;
}
