//! The deletion sweep (the original's scheduler, done properly). Each run
//! expires abandoned uploads, then works through the deletion records: objects
//! first, then comments, and only then the records. A run stopped at any point
//! leaves unfinished records for the next one; everything it does is idempotent.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::access::Access;
use crate::domain::now_epoch;
use crate::domain::video::{DeletionRecord, PENDING_GRACE_SECS};
use crate::error::ApiResult;
use crate::ports::{CommentPurger, DeletionQueue, ObjectRemover, PendingExpirer};

/// Records per page: two object keys each keeps one DeleteObjects call per page.
pub const RECORDS_PER_PAGE: u32 = 500;
const EXPIRED_PER_PAGE: u32 = 100;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct SweepSummary {
    pub records_processed: usize,
    pub objects_deleted: usize,
    pub comments_deleted: usize,
    pub uploads_expired: usize,
    pub errors: usize,
    /// False when the run stopped at its time budget with work left.
    pub finished: bool,
}

/// The scheduled sweep and what it may touch.
pub struct Sweep<P, Q, O, C> {
    pub pending: P,
    pub queue: Q,
    pub objects: O,
    pub comments: C,
}

impl<P: PendingExpirer, Q: DeletionQueue, O: ObjectRemover, C: CommentPurger> Sweep<P, Q, O, C> {
    pub fn access(&self) -> Vec<Access> {
        [self.pending.access(), self.queue.access(), self.objects.access(), self.comments.access()].concat()
    }

    /// One run, within `budget` (stop early, leaving the rest for the next run).
    pub async fn run(&self, budget: Duration) -> ApiResult<SweepSummary> {
        let deadline = Instant::now() + budget;
        let mut summary = SweepSummary::default();
        self.expire_abandoned_uploads(deadline, &mut summary).await?;
        let mut after: Option<String> = None;
        loop {
            if Instant::now() >= deadline {
                tracing::info!(?summary, "sweep stopped at its time budget");
                return Ok(summary);
            }
            let records = self.queue.queued(RECORDS_PER_PAGE, after.as_deref()).await?;
            let Some(last) = records.last() else { break };
            after = Some(last.video_id.clone());
            match self.sweep_page(&records).await {
                Ok((objects, comments)) => {
                    summary.records_processed += records.len();
                    summary.objects_deleted += objects;
                    summary.comments_deleted += comments;
                }
                Err(err) => {
                    // Leave these records for the next run and go on with the rest.
                    tracing::warn!(error = %err.cause(), records = records.len(), "sweep page failed");
                    summary.errors += 1;
                }
            }
        }
        summary.finished = true;
        tracing::info!(?summary, "sweep finished");
        Ok(summary)
    }

    /// Objects, then comments, then the records: a crash in between repeats work
    /// but never loses a record whose work is undone.
    async fn sweep_page(&self, records: &[DeletionRecord]) -> ApiResult<(usize, usize)> {
        let keys: Vec<String> = records.iter().flat_map(|r| r.object_keys.iter().cloned()).collect();
        let objects = self.objects.delete_objects(&keys).await?;
        let video_ids: Vec<String> = records.iter().map(|r| r.video_id.clone()).collect();
        let comments = self.comments.delete_comments_of(&video_ids).await?;
        self.queue.remove(&video_ids).await?;
        Ok((objects, comments))
    }

    /// Queues videos still pending a day after their upload URL expired.
    async fn expire_abandoned_uploads(&self, deadline: Instant, summary: &mut SweepSummary) -> ApiResult<()> {
        let now = now_epoch();
        while Instant::now() < deadline {
            let ids = self.pending.expired_pending(now - PENDING_GRACE_SECS, EXPIRED_PER_PAGE).await?;
            if ids.is_empty() {
                break;
            }
            for id in &ids {
                if self.pending.expire_pending(id, &DeletionRecord::for_video(id, "expired", now)).await? {
                    summary.uploads_expired += 1;
                }
            }
        }
        Ok(())
    }
}
