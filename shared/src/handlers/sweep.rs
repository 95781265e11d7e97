//! The deletion sweep (the original's scheduler, done properly). A run goes
//! through its phases (`budget::PHASES`), each within its share of the
//! budget: abandoned uploads are expired, the deletion records that are due
//! are worked through (`records`), and deleted accounts are purged
//! (`accounts`). A run stopped at any point leaves unfinished work for the
//! next one; everything it does is idempotent.

mod accounts;
mod budget;
mod records;

use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::access::Access;
use crate::config::Config;
use crate::domain::now_epoch;
use crate::domain::video::{DeletionRecord, PENDING_GRACE_SECS};
use crate::error::ApiResult;
use crate::ports::{
    AccountPurger, CommentPurger, DeletionQueue, ObjectRemover, OwnedVideos, PendingExpirer, UploadAborter,
    UploadLister, VideoReader, VideoRemover,
};
pub use accounts::AccountStore;
pub use budget::{Phase, PHASES};
pub use records::{BACKLOG_COUNT_MAX, RECORDS_PER_PAGE};

const EXPIRED_PER_PAGE: u32 = 100;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct SweepSummary {
    /// Records whose work was all done, and that left the queue.
    pub records_processed: usize,
    /// Records whose URLs may still be in use: left for a later run.
    pub records_not_due: usize,
    /// Due records the run began or reached but left in the queue: cut short
    /// by their share of the time or by the budget, or failed.
    pub records_unfinished: usize,
    /// Records still queued when the run ended (due or not): what an operator
    /// watches to see the queue drain. Past what the run walked, counted up
    /// to `BACKLOG_COUNT_MAX`.
    pub backlog: usize,
    pub objects_deleted: usize,
    pub uploads_aborted: usize,
    pub comments_deleted: usize,
    pub uploads_expired: usize,
    /// Deleted accounts whose leftovers are all gone, and whose names are free.
    pub accounts_purged: usize,
    /// Videos of deleted accounts that the deletion itself did not see.
    pub account_videos_removed: usize,
    pub errors: usize,
    /// False when the run left due work (a budget ran out, or a step failed).
    pub finished: bool,
}

/// The scheduled sweep and what it may touch.
pub struct Sweep<P, Q, A, O, C, U> {
    pub pending: P,
    pub queue: Q,
    pub uploads: A,
    pub objects: O,
    pub comments: C,
    pub accounts: U,
    pub config: Config,
}

impl<P, Q, A, O, C, U> Sweep<P, Q, A, O, C, U>
where
    P: PendingExpirer,
    Q: DeletionQueue,
    A: UploadLister + UploadAborter,
    O: ObjectRemover,
    C: CommentPurger,
    U: AccountStore,
{
    pub fn access(&self) -> Vec<Access> {
        [
            self.pending.access(),
            self.queue.access(),
            UploadLister::access(&self.uploads),
            UploadAborter::access(&self.uploads),
            self.objects.access(),
            self.comments.access(),
            AccountPurger::access(&self.accounts),
            OwnedVideos::access(&self.accounts),
            VideoReader::access(&self.accounts),
            VideoRemover::access(&self.accounts),
        ]
        .concat()
    }

    /// One run, within `budget` (stop early, leaving the rest for the next run).
    pub async fn run(&self, budget: Duration) -> ApiResult<SweepSummary> {
        self.run_as_of(now_epoch(), budget).await
    }

    /// A run as if the clock read `now` (tests use a later `now` instead of
    /// waiting). Each phase gets its share of the time left when it starts.
    pub async fn run_as_of(&self, now: i64, budget: Duration) -> ApiResult<SweepSummary> {
        let deadline = budget::deadline_in(budget);
        let mut summary = SweepSummary::default();
        let mut finished = true;
        for (n, (phase, _)) in PHASES.iter().enumerate() {
            let weights: Vec<u32> = PHASES[n..].iter().map(|(_, weight)| *weight).collect();
            let phase_deadline = budget::share_ends(Instant::now(), deadline, &weights);
            let done = match phase {
                Phase::ExpireUploads => self.expire_abandoned_uploads(now, phase_deadline, &mut summary).await,
                Phase::DeletionRecords => self.sweep_records(now, phase_deadline, &mut summary).await,
                Phase::AccountPurges => {
                    accounts::purge_accounts(&self.accounts, &self.config, now, phase_deadline, &mut summary).await
                }
            };
            if !done {
                tracing::info!(?phase, "sweep phase left work for the next run");
            }
            finished &= done;
        }
        summary.finished = finished && summary.errors == 0;
        tracing::info!(?summary, "sweep run ended");
        Ok(summary)
    }

    /// Queues videos still pending after their upload window closed. True
    /// when none is left.
    async fn expire_abandoned_uploads(&self, now: i64, deadline: Instant, summary: &mut SweepSummary) -> bool {
        let urls_live_for = self.config.upload_url_ttl_secs as i64;
        loop {
            if budget::passed(deadline) {
                return false;
            }
            let videos = match self.pending.expired_pending(now - PENDING_GRACE_SECS, EXPIRED_PER_PAGE).await {
                Ok(videos) => videos,
                Err(err) => {
                    tracing::warn!(error = %err.cause(), "listing expired uploads failed");
                    summary.errors += 1;
                    return false;
                }
            };
            if videos.is_empty() {
                return true;
            }
            let mut expired = 0;
            for video in &videos {
                if budget::passed(deadline) {
                    return false;
                }
                let record = DeletionRecord::for_video(&video.id, "expired", now, urls_live_for).without_renditions();
                match self.pending.expire_pending(video, &record).await {
                    Ok(true) => {
                        expired += 1;
                        summary.uploads_expired += 1;
                    }
                    // Completed or deleted meanwhile: nothing to expire.
                    Ok(false) => {}
                    Err(err) => {
                        tracing::warn!(error = %err.cause(), video = %video.id, "expiring an upload failed");
                        summary.errors += 1;
                    }
                }
            }
            if expired == 0 {
                // The index still lists what no longer is pending: the next run.
                return false;
            }
        }
    }
}
