//! The comments table.

use aws_sdk_dynamodb::types::{ConditionCheck, Put, TransactWriteItem};

use super::util::{batch_delete, built, is_conditional_failure, query_page, s, to_item, Item};
use super::videos::{video_key, visibility_expression, VISIBLE_TO_VIEWER};
use super::Dynamo;
use crate::access::Access;
use crate::config::Table::{Comments, Videos};
use crate::domain::page::{Page, PageRequest};
use crate::domain::video::Comment;
use crate::error::{ApiError, ApiResult};
use crate::ports::{
    CommentKey, CommentKeys, CommentPurger, CommentReader, CommentRemover, CommentWriter, Outcome, VideoReader,
};
use crate::store::OrUnavailable;

impl CommentWriter for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:ConditionCheckItem", Videos), Access::dynamodb("dynamodb:PutItem", Comments)]
    }

    async fn add_comment(&self, comment: &Comment, viewer: &str) -> ApiResult<bool> {
        let (names, values) = visibility_expression(viewer);
        let check = ConditionCheck::builder()
            .table_name(self.table(Videos))
            .set_key(Some(video_key(&comment.video_id)))
            .condition_expression(VISIBLE_TO_VIEWER)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .build();
        let put = Put::builder()
            .table_name(self.table(Comments))
            .set_item(Some(to_item(comment)?))
            .condition_expression("attribute_not_exists(comment_id)")
            .build();
        let request = self
            .client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().condition_check(built(check)?).build())
            .transact_items(TransactWriteItem::builder().put(built(put)?).build());
        self.transact(request).await
    }
}

impl CommentReader for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:Query", Comments)]
    }

    async fn list_comments(&self, video_id: &str, page: &PageRequest) -> ApiResult<Page<Comment>> {
        let table = self.table(Comments);
        query_page(&self.client, table, None, ("video_id", video_id), "comment_id", &[], page).await
    }
}

impl CommentRemover for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![
            Access::dynamodb("dynamodb:DeleteItem", Comments),
            Access::dynamodb("dynamodb:GetItem", Comments),
            Access::dynamodb("dynamodb:GetItem", Videos),
        ]
    }

    async fn delete_comment(&self, video_id: &str, comment_id: &str, caller: &str) -> ApiResult<Outcome> {
        let table = self.table(Comments);
        let key = Item::from([("video_id".to_owned(), s(video_id)), ("comment_id".to_owned(), s(comment_id))]);
        // The author may delete it...
        let by_author = self
            .client
            .delete_item()
            .table_name(table)
            .set_key(Some(key.clone()))
            .condition_expression("author = :caller")
            .expression_attribute_values(":caller", s(caller))
            .send()
            .await;
        match by_author {
            Ok(_) => return Ok(Outcome::Done),
            Err(err) if is_conditional_failure(&err) => {}
            Err(err) => return Err(err).or_unavailable("DeleteItem", table),
        }
        // ...and so may the video's owner. A video the caller may not see is
        // as good as missing: a 403 would confirm that it exists.
        let video = VideoReader::get_video(self, video_id).await?;
        let Some(video) = video.filter(|v| v.visible_to(Some(caller))) else { return Ok(Outcome::NotFound) };
        if video.owner != caller {
            let get = self.client.get_item().table_name(table).set_key(Some(key));
            let exists = get.send().await.or_unavailable("GetItem", table)?.item.is_some();
            return Ok(if exists { Outcome::Forbidden } else { Outcome::NotFound });
        }
        let by_owner = self
            .client
            .delete_item()
            .table_name(table)
            .set_key(Some(key))
            .condition_expression("attribute_exists(comment_id)")
            .send()
            .await;
        match by_owner {
            Ok(_) => Ok(Outcome::Done),
            Err(err) if is_conditional_failure(&err) => Ok(Outcome::NotFound),
            Err(err) => Err(err).or_unavailable("DeleteItem", table),
        }
    }
}

impl CommentPurger for Dynamo {
    fn access(&self) -> Vec<Access> {
        vec![Access::dynamodb("dynamodb:Query", Comments), Access::dynamodb("dynamodb:BatchWriteItem", Comments)]
    }

    async fn comment_keys(&self, video_id: &str, limit: u32) -> ApiResult<CommentKeys> {
        let table = self.table(Comments);
        let out = self
            .client
            .query()
            .table_name(table)
            .key_condition_expression("video_id = :video")
            .expression_attribute_values(":video", s(video_id))
            .projection_expression("comment_id")
            .limit(limit.max(1) as i32)
            .consistent_read(true)
            .send()
            .await
            .or_unavailable("Query", table)?;
        let keys = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| {
                let comment_id = item.get("comment_id").and_then(|v| v.as_s().ok()).cloned();
                let comment_id = comment_id.ok_or_else(|| ApiError::internal("a comment without a comment_id"))?;
                Ok(CommentKey { video_id: video_id.to_owned(), comment_id })
            })
            .collect::<ApiResult<_>>()?;
        Ok(CommentKeys { keys, more: out.last_evaluated_key.is_some() })
    }

    async fn delete_comments(&self, keys: &[CommentKey]) -> ApiResult<usize> {
        let items = keys
            .iter()
            .map(|key| {
                Item::from([("video_id".to_owned(), s(&key.video_id)), ("comment_id".to_owned(), s(&key.comment_id))])
            })
            .collect();
        batch_delete(&self.client, self.table(Comments), items).await?;
        Ok(keys.len())
    }
}
