//! The purge of deleted accounts: everything an account left behind, a page
//! at a time, then its name is free. Due `account_purge_delay_secs` after the
//! deletion, when every write that raced it shows in the indexes.

use tokio::time::Instant;

use super::{budget, SweepSummary};
use crate::config::Config;
use crate::domain::account::User;
use crate::domain::page::PageRequest;
use crate::error::ApiResult;
use crate::handlers::videos::remove_video;
use crate::ports::{AccountPurger, Outcome, OwnedVideos, VideoReader, VideoRemover};

const ACCOUNTS_PER_PAGE: u32 = 25;

/// What the purge may touch: the accounts, and the videos they still own.
pub trait AccountStore: AccountPurger + OwnedVideos + VideoReader + VideoRemover {}
impl<T: AccountPurger + OwnedVideos + VideoReader + VideoRemover> AccountStore for T {}

/// Purges the accounts due at `now` until `deadline`. True when none is left.
pub(super) async fn purge_accounts(
    accounts: &impl AccountStore,
    config: &Config,
    now: i64,
    deadline: Instant,
    summary: &mut SweepSummary,
) -> bool {
    let due = match accounts.due_purges(now, ACCOUNTS_PER_PAGE).await {
        Ok(due) => due,
        Err(err) => {
            tracing::warn!(error = %err.cause(), "listing deleted accounts failed");
            summary.errors += 1;
            return false;
        }
    };
    for account in &due {
        match purge(accounts, config, account, deadline, summary).await {
            Ok(true) => {}
            Ok(false) => return false,
            Err(err) => {
                // The next run starts this account over; every step is idempotent.
                tracing::warn!(error = %err.cause(), username = %account.username, "purging an account failed");
                summary.errors += 1;
            }
        }
    }
    due.len() < ACCOUNTS_PER_PAGE as usize
}

/// One account: its comments, its likes, its videos, its follows, its sessions, then its name.
async fn purge(
    accounts: &impl AccountStore,
    config: &Config,
    account: &User,
    deadline: Instant,
    summary: &mut SweepSummary,
) -> ApiResult<bool> {
    let name = &account.username;
    loop {
        if budget::passed(deadline) {
            return Ok(false);
        }
        let deleted = accounts.delete_comments_by(name).await?;
        summary.comments_deleted += deleted;
        if deleted == 0 {
            break;
        }
    }
    loop {
        if budget::passed(deadline) {
            return Ok(false);
        }
        if accounts.take_back_likes_of(name).await? == 0 {
            break;
        }
    }
    let urls_live_for = config.upload_url_ttl_secs as i64;
    let mut page = PageRequest { limit: 50, cursor: None };
    loop {
        if budget::passed(deadline) {
            return Ok(false);
        }
        let listed = accounts.owned_videos(name.as_str(), &page).await?;
        for video in &listed.items {
            let removed = remove_video(accounts, accounts, &video.id, name.as_str(), "account_deleted", urls_live_for);
            if removed.await? == Outcome::Done {
                summary.account_videos_removed += 1;
            }
        }
        match listed.next_cursor {
            Some(cursor) => page.cursor = Some(cursor),
            None => break,
        }
    }
    // Both directions of its follows; the name may be someone else's next.
    while accounts.delete_follows_by(name).await? > 0 {}
    while accounts.delete_follows_of(name).await? > 0 {}
    while accounts.delete_sessions_of(name).await? > 0 {}
    accounts.forget_account(account).await?;
    summary.accounts_purged += 1;
    tracing::info!(username = %name, deleted_at = account.deleted_at, "account purged");
    Ok(true)
}
