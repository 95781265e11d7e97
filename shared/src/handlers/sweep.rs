//! The deletion sweep (the original's scheduler, done properly). Each run
//! expires abandoned uploads, then works through the deletion records that
//! are due: multipart uploads aborted and objects deleted first, then
//! comments, and only then the records. A run stopped at any point leaves
//! unfinished records for the next one; everything it does is idempotent.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::access::Access;
use crate::config::Config;
use crate::domain::now_epoch;
use crate::domain::video::{video_object_key, DeletionRecord, PENDING_GRACE_SECS};
use crate::error::ApiResult;
use crate::ports::{CommentPurger, DeletionQueue, ObjectRemover, PendingExpirer, UploadAborter, UploadLister};

/// Records per page: two object keys each keeps one DeleteObjects call per page.
pub const RECORDS_PER_PAGE: u32 = 500;
const EXPIRED_PER_PAGE: u32 = 100;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct SweepSummary {
    pub records_processed: usize,
    /// Records whose URLs may still be in use: left for a later run.
    pub records_not_due: usize,
    pub objects_deleted: usize,
    pub uploads_aborted: usize,
    pub comments_deleted: usize,
    pub uploads_expired: usize,
    pub errors: usize,
    /// False when the run stopped at its time budget with work left.
    pub finished: bool,
}

/// The scheduled sweep and what it may touch.
pub struct Sweep<P, Q, A, O, C> {
    pub pending: P,
    pub queue: Q,
    pub uploads: A,
    pub objects: O,
    pub comments: C,
    pub config: Config,
}

impl<P, Q, A, O, C> Sweep<P, Q, A, O, C>
where
    P: PendingExpirer,
    Q: DeletionQueue,
    A: UploadLister + UploadAborter,
    O: ObjectRemover,
    C: CommentPurger,
{
    pub fn access(&self) -> Vec<Access> {
        [
            self.pending.access(),
            self.queue.access(),
            UploadLister::access(&self.uploads),
            UploadAborter::access(&self.uploads),
            self.objects.access(),
            self.comments.access(),
        ]
        .concat()
    }

    /// One run, within `budget` (stop early, leaving the rest for the next run).
    pub async fn run(&self, budget: Duration) -> ApiResult<SweepSummary> {
        self.run_as_of(now_epoch(), budget).await
    }

    /// A run as if the clock read `now` (tests use a later `now` instead of waiting).
    pub async fn run_as_of(&self, now: i64, budget: Duration) -> ApiResult<SweepSummary> {
        let deadline = Instant::now() + budget;
        let mut summary = SweepSummary::default();
        self.expire_abandoned_uploads(now, deadline, &mut summary).await?;
        let mut in_progress: Option<HashMap<String, Vec<String>>> = None;
        let mut after: Option<String> = None;
        loop {
            if Instant::now() >= deadline {
                tracing::info!(?summary, "sweep stopped at its time budget");
                return Ok(summary);
            }
            let records = self.queue.queued(RECORDS_PER_PAGE, after.as_deref()).await?;
            let Some(last) = records.last() else { break };
            after = Some(last.video_id.clone());
            let (due, later): (Vec<_>, Vec<_>) = records.into_iter().partition(|r| r.not_before <= now);
            summary.records_not_due += later.len();
            if due.is_empty() {
                continue;
            }
            if in_progress.is_none() {
                match self.uploads_by_key().await {
                    Ok(listed) => in_progress = Some(listed),
                    Err(err) => {
                        // Without the list no upload can be aborted: leave the records.
                        tracing::warn!(error = %err.cause(), records = due.len(), "listing uploads failed");
                        summary.errors += 1;
                        continue;
                    }
                }
            }
            let uploads = in_progress.as_ref().expect("listed above");
            match self.sweep_page(&due, uploads).await {
                Ok((aborted, objects, comments)) => {
                    summary.records_processed += due.len();
                    summary.uploads_aborted += aborted;
                    summary.objects_deleted += objects;
                    summary.comments_deleted += comments;
                }
                Err(err) => {
                    // Leave these records for the next run and go on with the rest.
                    tracing::warn!(error = %err.cause(), records = due.len(), "sweep page failed");
                    summary.errors += 1;
                }
            }
        }
        summary.finished = true;
        tracing::info!(?summary, "sweep finished");
        Ok(summary)
    }

    /// Multipart uploads in progress, by key (listed once a run: they are few,
    /// and no new one can start for a deleted video).
    async fn uploads_by_key(&self) -> ApiResult<HashMap<String, Vec<String>>> {
        let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
        for (key, upload_id) in self.uploads.uploads_in_progress().await? {
            by_key.entry(key).or_default().push(upload_id);
        }
        Ok(by_key)
    }

    /// Uploads and objects, then comments, then the records: a crash in
    /// between repeats work but never loses a record whose work is undone.
    async fn sweep_page(
        &self,
        records: &[DeletionRecord],
        uploads: &HashMap<String, Vec<String>>,
    ) -> ApiResult<(usize, usize, usize)> {
        let mut aborted = 0;
        for record in records {
            let key = video_object_key(&record.video_id);
            for upload_id in uploads.get(&key).into_iter().flatten() {
                self.uploads.abort_upload(&key, upload_id).await?;
                aborted += 1;
            }
        }
        let keys: Vec<String> = records.iter().flat_map(|r| r.object_keys.iter().cloned()).collect();
        let mut objects = self.objects.delete_objects(&keys).await?;
        for prefix in records.iter().flat_map(|r| &r.object_prefixes) {
            objects += self.objects.delete_prefix(prefix).await?;
        }
        let video_ids: Vec<String> = records.iter().map(|r| r.video_id.clone()).collect();
        let comments = self.comments.delete_comments_of(&video_ids).await?;
        self.queue.remove(&video_ids).await?;
        Ok((aborted, objects, comments))
    }

    /// Queues videos still pending after their upload window closed.
    async fn expire_abandoned_uploads(&self, now: i64, deadline: Instant, summary: &mut SweepSummary) -> ApiResult<()> {
        let urls_live_for = self.config.upload_url_ttl_secs as i64;
        while Instant::now() < deadline {
            let videos = self.pending.expired_pending(now - PENDING_GRACE_SECS, EXPIRED_PER_PAGE).await?;
            if videos.is_empty() {
                break;
            }
            for video in &videos {
                let record = DeletionRecord::for_video(&video.id, "expired", now, urls_live_for);
                if self.pending.expire_pending(video, &record).await? {
                    summary.uploads_expired += 1;
                }
            }
        }
        Ok(())
    }
}
