//! The sweep on fakes in virtual time: every storage call takes a few
//! milliseconds of a paused clock, so budgets, shares and fairness are
//! checked exactly and at once. The real adapters are proved by the
//! integration tests.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::access::Access;
use crate::config::Config;
use crate::domain::video::{DeletionRecord, Video};
use crate::error::{ApiError, ApiResult};
use crate::handlers::sweep::{Sweep, SweepSummary};
use crate::ports::*;

/// What one storage call costs, and one batch of 25 comments more.
const CALL: Duration = Duration::from_millis(10);
const NOW: i64 = 1_000_000;

#[derive(Default)]
struct State {
    records: BTreeMap<String, DeletionRecord>,
    comments: BTreeMap<String, BTreeSet<u32>>,
    objects: BTreeSet<String>,
    pending: Vec<Video>,
    /// Object keys whose delete fails.
    poisoned: BTreeSet<String>,
    /// The most comment keys asked for, or handed over, in one call.
    most_keys: usize,
}

#[derive(Clone, Default)]
struct Fake(Arc<Mutex<State>>);

impl Fake {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }

    fn queue(&self, id: &str, comments: u32, not_before: i64) {
        let mut record = DeletionRecord::for_video(id, "deleted", NOW, 0).without_posters().without_renditions();
        record.not_before = not_before;
        let mut state = self.state();
        state.objects.extend(record.object_keys.iter().cloned());
        state.records.insert(id.to_owned(), record);
        state.comments.insert(id.to_owned(), (0..comments).collect());
    }

    fn comments_of(&self, id: &str) -> usize {
        self.state().comments.get(id).map_or(0, BTreeSet::len)
    }

    fn sweep(&self) -> Sweep<Fake, Fake, Fake, Fake, Fake, NoAccounts> {
        let f = || self.clone();
        let config = Config::default();
        Sweep { pending: f(), queue: f(), uploads: f(), objects: f(), comments: f(), accounts: NoAccounts, config }
    }
}

async fn call() {
    tokio::time::sleep(CALL).await;
}

impl PendingExpirer for Fake {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn expired_pending(&self, _before: i64, limit: u32) -> ApiResult<Vec<Video>> {
        call().await;
        Ok(self.state().pending.iter().take(limit as usize).cloned().collect())
    }
    async fn expire_pending(&self, video: &Video, _record: &DeletionRecord) -> ApiResult<bool> {
        call().await;
        self.state().pending.retain(|v| v.id != video.id);
        Ok(true)
    }
}

impl DeletionQueue for Fake {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn queued(&self, limit: u32, after: Option<&str>) -> ApiResult<Vec<DeletionRecord>> {
        call().await;
        let state = self.state();
        let from = after.map_or(std::ops::Bound::Unbounded, |a| std::ops::Bound::Excluded(a.to_owned()));
        let page = state.records.range((from, std::ops::Bound::Unbounded)).take(limit as usize);
        Ok(page.map(|(_, r)| r.clone()).collect())
    }
    async fn count_queued(&self, after: Option<&str>, at_most: usize) -> ApiResult<usize> {
        call().await;
        let after = self.state().records.keys().filter(|id| after.is_none_or(|a| id.as_str() > a)).count();
        Ok(after.min(at_most))
    }
    async fn remove(&self, video_ids: &[String]) -> ApiResult<()> {
        for _ in video_ids.chunks(25) {
            call().await;
        }
        let mut state = self.state();
        for id in video_ids {
            state.records.remove(id);
        }
        Ok(())
    }
}

impl UploadLister for Fake {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn uploads_in_progress(&self) -> ApiResult<Vec<(String, String)>> {
        call().await;
        Ok(Vec::new())
    }
}

impl UploadAborter for Fake {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn abort_upload(&self, _key: &str, _upload_id: &str) -> ApiResult<()> {
        call().await;
        Ok(())
    }
}

impl ObjectRemover for Fake {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn delete_objects(&self, keys: &[String]) -> ApiResult<usize> {
        call().await;
        let mut state = self.state();
        if keys.iter().any(|k| state.poisoned.contains(k)) {
            return Err(ApiError::unavailable("DeleteObjects", "injected fault"));
        }
        keys.iter().for_each(|k| _ = state.objects.remove(k));
        Ok(keys.len())
    }
    async fn delete_prefix(&self, _prefix: &str) -> ApiResult<usize> {
        call().await;
        Ok(0)
    }
}

impl CommentPurger for Fake {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn comment_keys(&self, video_id: &str, limit: u32) -> ApiResult<CommentKeys> {
        call().await;
        let mut state = self.state();
        state.most_keys = state.most_keys.max(limit as usize);
        let all = state.comments.get(video_id).cloned().unwrap_or_default();
        let keys: Vec<CommentKey> = all
            .iter()
            .take(limit as usize)
            .map(|n| CommentKey { video_id: video_id.to_owned(), comment_id: n.to_string() })
            .collect();
        Ok(CommentKeys { more: keys.len() == limit as usize, keys })
    }
    async fn delete_comments(&self, keys: &[CommentKey]) -> ApiResult<usize> {
        for _ in keys.chunks(25) {
            call().await;
        }
        let mut state = self.state();
        state.most_keys = state.most_keys.max(keys.len());
        for key in keys {
            if let Some(comments) = state.comments.get_mut(&key.video_id) {
                comments.remove(&key.comment_id.parse().unwrap());
            }
        }
        Ok(keys.len())
    }
}

/// `n` ordinary records, 2 comments each, after the ids the tests give the odd ones.
fn ordinary(fake: &Fake, n: usize) -> Vec<String> {
    let ids: Vec<String> = (0..n).map(|i| format!("ordinary-{i:04}")).collect();
    ids.iter().for_each(|id| fake.queue(id, 2, NOW));
    ids
}

fn pending_video(id: &str) -> Video {
    let status = crate::domain::video::VideoStatus::Pending;
    Video { id: id.into(), ..Video::example("o", status, crate::domain::video::Privacy::Public) }
}

async fn run(fake: &Fake, budget: Duration) -> SweepSummary {
    fake.sweep().run_as_of(NOW, budget).await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_video_with_20000_comments_holds_up_no_record_and_drains_over_a_few_runs() {
    let fake = Fake::default();
    // First in the queue's order, as the oldest deleted video would be.
    fake.queue("a-huge-video", 20_000, NOW);
    let ids = ordinary(&fake, 100);
    fake.queue("not-due-yet", 2, NOW + 600);

    let first = run(&fake, Duration::from_secs(2)).await;
    assert_eq!(first.records_processed, 100, "{first:?}");
    assert!(ids.iter().all(|id| fake.comments_of(id) == 0));
    assert!(!first.finished);
    assert_eq!((first.records_unfinished, first.records_not_due, first.backlog, first.errors), (1, 1, 2, 0));
    let left = fake.comments_of("a-huge-video");
    assert!(left > 0 && left < 20_000, "the huge video was begun, not finished: {left} left");

    let mut runs = 1;
    loop {
        let summary = run(&fake, Duration::from_secs(2)).await;
        runs += 1;
        if summary.finished {
            assert_eq!((summary.records_processed, summary.backlog), (1, 1), "{summary:?}");
            break;
        }
        assert!(runs < 12, "not drained in {runs} runs: {summary:?}");
    }
    assert_eq!(fake.comments_of("a-huge-video"), 0);
    assert_eq!(fake.state().records.keys().collect::<Vec<_>>(), ["not-due-yet"]);
    assert_eq!(fake.comments_of("not-due-yet"), 2, "a record not due is not touched");
    assert!(fake.state().most_keys <= 1000, "a page of keys at most: {}", fake.state().most_keys);
}

#[tokio::test(start_paused = true)]
async fn a_run_stops_within_a_page_of_its_budget() {
    let fake = Fake::default();
    fake.queue("a-huge-video", 100_000, NOW);
    let started = tokio::time::Instant::now();
    let summary = run(&fake, Duration::from_secs(3)).await;
    // One page of 1000 comments is 41 calls: the run may overrun by that much.
    assert!(started.elapsed() <= Duration::from_secs(3) + CALL * 45, "{:?}", started.elapsed());
    assert!(!summary.finished && summary.comments_deleted > 0 && summary.comments_deleted < 100_000);
    assert_eq!(summary.backlog, 1);
}

#[tokio::test(start_paused = true)]
async fn the_backlog_counts_the_records_a_run_did_not_reach() {
    let fake = Fake::default();
    ordinary(&fake, 2000);
    let summary = run(&fake, Duration::from_secs(2)).await;
    assert!(!summary.finished);
    assert!(summary.records_processed > 0 && summary.records_processed < 2000, "{summary:?}");
    assert_eq!(summary.backlog, 2000 - summary.records_processed, "{summary:?}");
}

#[tokio::test(start_paused = true)]
async fn expiring_uploads_cannot_take_the_budget_of_the_records() {
    let fake = Fake::default();
    let ids = ordinary(&fake, 20);
    let abandoned = (0..10_000).map(|i| pending_video(&format!("abandoned-{i}"))).collect();
    fake.state().pending = abandoned;

    let summary = run(&fake, Duration::from_secs(5)).await;
    assert!(summary.uploads_expired > 0, "{summary:?}");
    assert_eq!(summary.records_processed, 20, "{summary:?}");
    assert!(ids.iter().all(|id| fake.comments_of(id) == 0));
    assert!(!summary.finished);
}

#[tokio::test(start_paused = true)]
async fn a_record_whose_objects_cannot_be_deleted_holds_up_no_other() {
    let fake = Fake::default();
    let ids = ordinary(&fake, 10);
    fake.state().poisoned.insert(crate::domain::video::video_object_key(&ids[3]));
    let summary = run(&fake, Duration::from_secs(5)).await;
    assert_eq!((summary.records_processed, summary.records_unfinished, summary.errors), (9, 1, 1), "{summary:?}");
    assert_eq!(fake.state().records.keys().collect::<Vec<_>>(), [&ids[3]]);
    assert_eq!(fake.comments_of(&ids[3]), 2, "its comments wait with it");
    assert!(!summary.finished);
}

/// No deleted account to purge (the purge is proved on the real tables).
struct NoAccounts;

impl AccountPurger for NoAccounts {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn due_purges(&self, _now: i64, _limit: u32) -> ApiResult<Vec<crate::domain::account::User>> {
        call().await;
        Ok(Vec::new())
    }
    async fn delete_comments_by(&self, _author: &crate::domain::account::Username) -> ApiResult<usize> {
        unreachable!("no account is due")
    }
    async fn take_back_likes_of(&self, _username: &crate::domain::account::Username) -> ApiResult<usize> {
        unreachable!("no account is due")
    }
    async fn delete_sessions_of(&self, _username: &crate::domain::account::Username) -> ApiResult<usize> {
        unreachable!("no account is due")
    }
    async fn delete_follows_by(&self, _username: &crate::domain::account::Username) -> ApiResult<usize> {
        unreachable!("no account is due")
    }
    async fn delete_follows_of(&self, _username: &crate::domain::account::Username) -> ApiResult<usize> {
        unreachable!("no account is due")
    }
    async fn forget_account(&self, _user: &crate::domain::account::User) -> ApiResult<()> {
        unreachable!("no account is due")
    }
}

impl OwnedVideos for NoAccounts {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn owned_videos(
        &self,
        _owner: &str,
        _page: &crate::domain::page::PageRequest,
    ) -> ApiResult<crate::domain::page::Page<Video>> {
        unreachable!("no account is due")
    }
}

impl VideoReader for NoAccounts {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn get_video(&self, _id: &str) -> ApiResult<Option<Video>> {
        unreachable!("no account is due")
    }
}

impl VideoRemover for NoAccounts {
    fn access(&self) -> Vec<Access> {
        Vec::new()
    }
    async fn delete_video(&self, _video: &Video, _record: &DeletionRecord) -> ApiResult<bool> {
        unreachable!("no account is due")
    }
}
