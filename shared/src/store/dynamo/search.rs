//! The search index: an item per (term, video) in `search_terms`, the term
//! being a folded word prefix (`domain::search`), the sort key the video's
//! id (UUIDv7: newest last, as in the feed), and the video's words on each
//! item for the query's filter. A page is one Query and one BatchGetItem.
//! A query of several words reads more items than the page holds (the filter
//! drops most), and its page then ends at the last hit it shows.
//!
//! The writes that change what search may show keep it in step afterwards
//! (`sync_search`): publishing, editing and deleting a video. The read checks
//! every hit against the video as it now is, so an index write that lags or
//! failed can hide a video from search but never show a hidden one.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{DeleteRequest, KeysAndAttributes, PutRequest, WriteRequest};

use super::util::{batch_write, built, cursor_of, from_item, s, Item};
use super::videos::video_key;
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{SearchTerms, Videos};
use crate::domain::page::{decode_cursor, Page, PageRequest};
use crate::domain::search::{IndexChange, SearchQuery};
use crate::domain::video::Video;
use crate::error::{ApiError, ApiResult};
use crate::ports::VideoSearcher;
use crate::store::OrUnavailable;

fn term_key(term: &str, video_id: &str) -> Item {
    Item::from([("term".to_owned(), s(term)), ("video_id".to_owned(), s(video_id))])
}

/// A query with a filter reads up to this many items per page wanted (at most
/// `MAX_READ` items, ~100 bytes each, well under a Query's 1 MB): DynamoDB's
/// Limit counts items before the filter, so pages stay full when words are rare together.
const FILTERED_READ_FACTOR: u32 = 20;
const MAX_READ: u32 = 1000;

/// What a write that keeps the index needs besides its own.
pub(super) const SEARCH_WRITES: Access = Access::dynamodb("dynamodb:BatchWriteItem", SearchTerms);

impl Dynamo {
    /// Applies a video's index change: its current terms written (with its
    /// words), the terms it lost deleted, in BatchWriteItem calls of 25.
    pub(super) async fn sync_search(&self, change: &IndexChange) -> ApiResult<()> {
        if change.is_empty() {
            return Ok(());
        }
        let mut writes = Vec::with_capacity(change.put.len() + change.delete.len());
        for term in &change.put {
            let mut item = term_key(term, &change.video_id);
            item.insert("words".into(), s(&change.words));
            let put = built(PutRequest::builder().set_item(Some(item)).build())?;
            writes.push(WriteRequest::builder().put_request(put).build());
        }
        for term in &change.delete {
            let key = term_key(term, &change.video_id);
            let delete = built(DeleteRequest::builder().set_key(Some(key)).build())?;
            writes.push(WriteRequest::builder().delete_request(delete).build());
        }
        // Boxed: it follows another write's future, and the two inline make a large one.
        Box::pin(batch_write(&self.client, self.table(SearchTerms), writes)).await.map(drop)
    }

    /// Indexes a video just published. It stays published either way: a failed
    /// index write leaves it out of search until its next edit.
    pub(super) async fn index_published(&self, video: &Video) {
        if let Err(err) = self.sync_search(&IndexChange::between(None, Some(video))).await {
            tracing::warn!(error = %err.cause(), video = %video.id, "indexing a published video for search failed");
        }
    }

    /// The videos of `ids`, as they now are, in that order (gone ones left out).
    async fn videos_by_id(&self, ids: &[String]) -> ApiResult<Vec<Video>> {
        let videos = self.table(Videos);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys = ids.iter().map(|id| video_key(id)).collect();
        let read = built(KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true).build())?;
        let mut request = HashMap::from([(videos.to_owned(), read)]);
        let mut found: HashMap<String, Video> = HashMap::new();
        // BatchGetItem may leave keys unprocessed under load: ask again for those.
        for _ in 0..3 {
            let out = self.client.batch_get_item().set_request_items(Some(request)).send().await;
            let out = out.or_unavailable("BatchGetItem", videos)?;
            for item in out.responses.unwrap_or_default().remove(videos).unwrap_or_default() {
                let video: Video = from_item(item)?;
                found.insert(video.id.clone(), video);
            }
            request = out.unprocessed_keys.unwrap_or_default();
            if request.is_empty() {
                return Ok(ids.iter().filter_map(|id| found.remove(id)).collect());
            }
        }
        Err(ApiError::unavailable(format!("BatchGetItem {videos}"), "keys left unprocessed"))
    }
}

impl VideoSearcher for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:Query", SearchTerms), Access::dynamodb("dynamodb:BatchGetItem", Videos)]
    }

    async fn search(&self, query: &SearchQuery, page: &PageRequest) -> ApiResult<Page<Video>> {
        let table = self.table(SearchTerms);
        let term = query.term();
        let start = match page.cursor.as_deref() {
            Some(raw) => {
                let cursor = decode_cursor(raw, ("term", &term), "video_id", &["term", "video_id"])?;
                Some(cursor.into_iter().map(|(name, value)| (name, s(value))).collect())
            }
            None => None,
        };
        let mut request = self
            .client
            .query()
            .table_name(table)
            .key_condition_expression("term = :term")
            .expression_attribute_values(":term", s(&term))
            .projection_expression("video_id")
            .scan_index_forward(false)
            .consistent_read(true)
            .set_exclusive_start_key(start);
        // The other words, checked in the same call: ` word` in the item's ` words `.
        let filter: Vec<String> = (0..query.filter_words().len()).map(|n| format!("contains(#words, :w{n})")).collect();
        if filter.is_empty() {
            request = request.limit(page.limit as i32);
        } else {
            let read = (page.limit * FILTERED_READ_FACTOR).min(MAX_READ);
            request = request.limit(read as i32).filter_expression(filter.join(" AND "));
            request = request.expression_attribute_names("#words", "words");
            for (n, word) in query.filter_words().iter().enumerate() {
                request = request.expression_attribute_values(format!(":w{n}"), s(format!(" {word}")));
            }
        }
        let out = request.send().await.or_unavailable("Query", table)?;
        let mut ids: Vec<String> = out
            .items
            .unwrap_or_default()
            .into_iter()
            .filter_map(|item| item.get("video_id").and_then(|v| v.as_s().ok()).cloned())
            .collect();
        // More hits than a page: the page ends at its last one, and the next starts after it.
        let next_cursor = if ids.len() > page.limit as usize {
            ids.truncate(page.limit as usize);
            cursor_of(&term_key(&term, ids.last().expect("a page holds at least one")))
        } else {
            out.last_evaluated_key.as_ref().and_then(cursor_of)
        };
        let items = self.videos_by_id(&ids).await?;
        Ok(Page { items, next_cursor })
    }
}
