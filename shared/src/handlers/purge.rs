//! The sweep's purge of deleted accounts: everything an account left behind,
//! a page at a time, then its name is free. Due `account_purge_delay_secs`
//! after the deletion, when every write that raced it shows in the indexes.

use std::time::Instant;

use serde::Serialize;

use super::videos::remove_video;
use crate::access::Access;
use crate::config::Config;
use crate::domain::account::User;
use crate::domain::page::PageRequest;
use crate::error::ApiResult;
use crate::ports::{AccountPurger, Outcome, OwnedVideos, VideoReader, VideoRemover};

const ACCOUNTS_PER_PAGE: u32 = 25;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct PurgeSummary {
    pub accounts_purged: usize,
    pub comments_deleted: usize,
    pub videos_removed: usize,
    pub sessions_deleted: usize,
}

pub struct AccountPurge<P, O, V, R> {
    pub purger: P,
    pub owned: O,
    pub videos: V,
    pub remover: R,
    pub config: Config,
}

impl<P: AccountPurger, O: OwnedVideos, V: VideoReader, R: VideoRemover> AccountPurge<P, O, V, R> {
    pub fn access(&self) -> Vec<Access> {
        [self.purger.access(), self.owned.access(), self.videos.access(), self.remover.access()].concat()
    }

    /// Purges the accounts due at `now` until `deadline`; false if it stopped with work left.
    pub async fn run(&self, now: i64, deadline: Instant, summary: &mut PurgeSummary) -> ApiResult<bool> {
        let due = self.purger.due_purges(now, ACCOUNTS_PER_PAGE).await?;
        for account in &due {
            if !self.purge(account, now, deadline, summary).await? {
                return Ok(false);
            }
        }
        Ok(due.len() < ACCOUNTS_PER_PAGE as usize)
    }

    /// One account: its comments, its videos, its sessions, then its name.
    async fn purge(&self, account: &User, now: i64, deadline: Instant, summary: &mut PurgeSummary) -> ApiResult<bool> {
        let name = &account.username;
        loop {
            if Instant::now() >= deadline {
                return Ok(false);
            }
            let deleted = self.purger.delete_comments_by(name).await?;
            summary.comments_deleted += deleted;
            if deleted == 0 {
                break;
            }
        }
        let urls_live_for = self.config.upload_url_ttl_secs as i64;
        let mut page = PageRequest { limit: 50, cursor: None };
        loop {
            if Instant::now() >= deadline {
                return Ok(false);
            }
            let listed = self.owned.owned_videos(name.as_str(), &page).await?;
            for video in &listed.items {
                let outcome = remove_video(
                    &self.videos,
                    &self.remover,
                    &video.id,
                    name.as_str(),
                    "account_deleted",
                    urls_live_for,
                );
                if outcome.await? == Outcome::Done {
                    summary.videos_removed += 1;
                }
            }
            match listed.next_cursor {
                Some(cursor) => page.cursor = Some(cursor),
                None => break,
            }
        }
        loop {
            let deleted = self.purger.delete_sessions_of(name).await?;
            summary.sessions_deleted += deleted;
            if deleted == 0 {
                break;
            }
        }
        self.purger.forget_account(account).await?;
        summary.accounts_purged += 1;
        tracing::info!(username = %name, deleted_at = account.deleted_at, now, "account purged");
        Ok(true)
    }
}
