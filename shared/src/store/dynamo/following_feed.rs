//! The following feed, pulled at read time: the follow list (one Query), then
//! each followed creator's newest public videos older than the cursor (one
//! Query each on `public_by_owner`, a bounded number at once), merged newest
//! first. 1 + N calls per page for N followed creators; nothing at write time.

use aws_sdk_dynamodb::Client;
use tokio::task::JoinSet;

use super::util::{from_item, query_all, s};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Follows, Videos};
use crate::domain::page::{decode_cursor, encode_cursor, Cursor, Page, PageRequest};
use crate::domain::video::Video;
use crate::error::{ApiError, ApiResult};
use crate::ports::FollowingFeedReader;
use crate::store::OrUnavailable;

/// Creators queried at once.
pub const FEED_CONCURRENCY: usize = 32;

/// The id just before `id` in string order (ids are fixed-length lowercase
/// hex UUIDs), so an inclusive `BETWEEN` can stop short of it; None for the first.
fn id_before(id: &str) -> Option<String> {
    let mut chars: Vec<char> = id.chars().collect();
    for c in chars.iter_mut().rev() {
        match *c {
            '-' => continue,
            '0' => *c = 'f',
            'a' => {
                *c = '9';
                return Some(chars.into_iter().collect());
            }
            _ => {
                *c = char::from_u32(*c as u32 - 1)?;
                return Some(chars.into_iter().collect());
            }
        }
    }
    None
}

/// Where one creator's query looks: older than the cursor, and no older than
/// the oldest video that would still make the page (once one is known).
#[derive(Clone)]
struct Window {
    before: Option<String>,
    at_least: Option<String>,
}

/// One creator's newest public videos in `window`: up to `limit`, and whether
/// a read stopped short of it (at 1 MB) with more left.
async fn creator_page(
    client: Client,
    table: String,
    creator: String,
    window: Window,
    limit: u32,
) -> ApiResult<(Vec<Video>, bool)> {
    let mut query = client
        .query()
        .table_name(&table)
        .index_name("public_by_owner")
        .expression_attribute_values(":owner", s(creator))
        .scan_index_forward(false)
        .limit(limit as i32);
    query = match (window.at_least, window.before) {
        (Some(low), Some(high)) => match id_before(&high) {
            Some(high) => query
                .key_condition_expression("public_owner_key = :owner AND id BETWEEN :low AND :high")
                .expression_attribute_values(":low", s(low))
                .expression_attribute_values(":high", s(high)),
            None => return Ok((Vec::new(), false)),
        },
        (Some(low), None) => query
            .key_condition_expression("public_owner_key = :owner AND id >= :low")
            .expression_attribute_values(":low", s(low)),
        (None, Some(high)) => query
            .key_condition_expression("public_owner_key = :owner AND id < :high")
            .expression_attribute_values(":high", s(high)),
        (None, None) => query.key_condition_expression("public_owner_key = :owner"),
    };
    let out = query.send().await.or_unavailable("Query", &table)?;
    let videos = out.items.unwrap_or_default().into_iter().map(from_item).collect::<ApiResult<Vec<Video>>>()?;
    let cut_short = out.last_evaluated_key.is_some() && videos.len() < limit as usize;
    Ok((videos, cut_short))
}

/// Runs `creator_page` for every creator, `FEED_CONCURRENCY` at a time, and
/// keeps the newest `limit` of all, newest first. Once `limit` are kept, later
/// queries read only videos at least as new as the oldest kept one, so a
/// creator with nothing newer costs a query but reads (and is billed) nothing.
async fn creator_pages(
    client: &Client,
    table: &str,
    creators: Vec<String>,
    before: Option<&str>,
    limit: u32,
) -> ApiResult<(Vec<Video>, bool)> {
    let (mut videos, mut more): (Vec<Video>, bool) = (Vec::new(), false);
    let mut creators = creators.into_iter();
    let mut running = JoinSet::new();
    loop {
        while running.len() < FEED_CONCURRENCY {
            let Some(creator) = creators.next() else { break };
            let at_least = (videos.len() >= limit as usize).then(|| videos[videos.len() - 1].id.clone());
            let window = Window { before: before.map(str::to_owned), at_least };
            running.spawn(creator_page(client.clone(), table.to_owned(), creator, window, limit));
        }
        let Some(done) = running.join_next().await else { return Ok((videos, more)) };
        let (page, cut_short) = done.map_err(|e| ApiError::internal_from("a feed query task", e))??;
        videos.extend(page);
        more |= cut_short;
        // Only the newest `limit` can make the page: memory stays bounded as N grows.
        videos.sort_unstable_by(|a, b| b.id.cmp(&a.id));
        videos.dedup_by(|a, b| a.id == b.id);
        videos.truncate(limit as usize);
    }
}

impl FollowingFeedReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:Query", Follows), Access::index(Videos, "public_by_owner")]
    }

    async fn following_feed(&self, follower: &str, page: &PageRequest) -> ApiResult<Page<Video>> {
        let partition = ("follower", follower);
        let before = match page.cursor.as_deref() {
            Some(raw) => decode_cursor(raw, partition, "id", &["id"])?.remove("id"),
            None => None,
        };
        let follows = query_all(&self.client, self.table(Follows), None, partition, "followee").await?;
        let creators = follows
            .into_iter()
            .filter_map(|mut item| item.remove("followee").and_then(|v| v.as_s().ok().cloned()))
            .collect();
        let table = self.table(Videos);
        // One more than the page from each: if the merge holds more than a page, there is a next one.
        let asked = page.limit + 1;
        let (mut videos, mut more) = creator_pages(&self.client, table, creators, before.as_deref(), asked).await?;
        more |= videos.len() > page.limit as usize;
        videos.truncate(page.limit as usize);
        let next_cursor = match videos.last() {
            Some(last) if more => Some(encode_cursor(&Cursor::from([
                ("follower".to_owned(), follower.to_owned()),
                ("id".to_owned(), last.id.clone()),
            ]))),
            _ => None,
        };
        Ok(Page { items: videos, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::id_before;

    #[test]
    fn the_id_before_is_the_greatest_smaller_one() {
        assert_eq!(id_before("0190-00a1").as_deref(), Some("0190-00a0"));
        assert_eq!(id_before("0190-00a0").as_deref(), Some("0190-009f"));
        assert_eq!(id_before("0190-00b0").as_deref(), Some("0190-00af"));
        assert_eq!(id_before("0191-0000").as_deref(), Some("0190-ffff"));
        assert_eq!(id_before("0000-0000"), None);
        let id = uuid::Uuid::now_v7().to_string();
        let before = id_before(&id).unwrap();
        assert!(before < id && before.len() == id.len());
    }
}
