//! The deletion-records phase. Page by page through the queue: each due
//! record has its uploads aborted and its objects deleted, then its comments,
//! a page of keys at a time (query, delete, then check the deadline). A
//! record leaves the queue only once all of that is done.
//!
//! Fairness: a first pass gives every due record one small page of comments,
//! so a video with 100,000 comments never holds up the ordinary records
//! behind it. A second pass shares the time left among the records the first
//! cut short; what they still have is found by the next run's query.
//! Memory: a page of records, a page of comment keys and less than a batch.

use std::collections::HashMap;

use tokio::time::Instant;

use super::budget::{equal_share_ends, passed};
use super::{Sweep, SweepSummary};
use crate::domain::video::{video_object_key, DeletionRecord};
use crate::error::{ApiError, ApiResult};
use crate::ports::{
    CommentKey, CommentPurger, DeletionQueue, ObjectRemover, PendingExpirer, UploadAborter, UploadLister,
};

/// Records per page of the queue.
pub const RECORDS_PER_PAGE: u32 = 500;
/// Comment keys per record in the first pass: most videos have fewer.
const FIRST_PASS_COMMENTS: u32 = 100;
/// Comment keys per query in the second pass, between deadline checks.
const COMMENTS_PER_PAGE: u32 = 1000;
/// BatchWriteItem's limit: comments are deleted in full batches across records.
const BATCH: usize = 25;
/// Records cut short that the second pass takes on; others wait a run.
const CUT_SHORT_MAX: usize = 100;
/// Records past the walk counted for the backlog, at most (a few reads of
/// 1 MB, well within the run's margin before its invocation times out).
pub const BACKLOG_COUNT_MAX: usize = 50_000;

/// Where a page's record stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Not reached before the deadline.
    Untouched,
    /// Its uploads and objects are gone.
    ObjectsGone,
    /// Its comments are being deleted; more remain.
    Started,
    /// Every object and comment gone (once the last batch is written).
    Done,
    Failed,
}

/// One run's walk through the queue.
#[derive(Default)]
struct Walk {
    /// Multipart uploads in progress, by key: listed once a run, when first
    /// needed (they are few, and no new one starts for a deleted video).
    uploads: Option<HashMap<String, Vec<String>>>,
    /// Records the first pass cut short, for the second.
    cut_short: Vec<DeletionRecord>,
    /// The last record seen: the backlog is counted after it.
    last_seen: Option<String>,
    /// The whole queue was seen.
    complete: bool,
    /// The queue could not be read (nor, then, counted).
    unreadable: bool,
}

/// Comment keys waiting for a full batch, with the page index of their record.
#[derive(Default)]
struct Batch {
    keys: Vec<CommentKey>,
    owners: Vec<usize>,
}

impl<P, Q, A, O, C, U> Sweep<P, Q, A, O, C, U>
where
    P: PendingExpirer,
    Q: DeletionQueue,
    A: UploadLister + UploadAborter,
    O: ObjectRemover,
    C: CommentPurger,
{
    /// The phase: true when no due record was left in the queue.
    pub(super) async fn sweep_records(&self, now: i64, deadline: Instant, summary: &mut SweepSummary) -> bool {
        let mut walk = Walk::default();
        while !passed(deadline) {
            let records = match self.queue.queued(RECORDS_PER_PAGE, walk.last_seen.as_deref()).await {
                Ok(records) => records,
                Err(err) => {
                    tracing::warn!(error = %err.cause(), "reading the deletion queue failed");
                    summary.errors += 1;
                    walk.unreadable = true;
                    break;
                }
            };
            let Some(last) = records.last() else {
                walk.complete = true;
                break;
            };
            walk.last_seen = Some(last.video_id.clone());
            let (due, later): (Vec<_>, Vec<_>) = records.into_iter().partition(|r| r.not_before <= now);
            summary.records_not_due += later.len();
            if !due.is_empty() {
                self.first_pass(&due, deadline, &mut walk, summary).await;
            }
        }
        let cut_short = std::mem::take(&mut walk.cut_short);
        let drained = self.second_pass(cut_short, deadline, summary).await;
        summary.records_unfinished -= drained;
        summary.backlog = summary.records_not_due + summary.records_unfinished;
        if !walk.complete && !walk.unreadable {
            match self.queue.count_queued(walk.last_seen.as_deref(), BACKLOG_COUNT_MAX).await {
                Ok(unseen) => summary.backlog += unseen,
                Err(err) => {
                    tracing::warn!(error = %err.cause(), "counting the backlog failed");
                    summary.errors += 1;
                }
            }
        }
        walk.complete && summary.records_unfinished == 0
    }

    /// A page of due records: objects, then up to a small page of comments
    /// each, then the records that are done leave the queue.
    async fn first_pass(&self, records: &[DeletionRecord], deadline: Instant, walk: &mut Walk, s: &mut SweepSummary) {
        let mut states = self.remove_objects(records, deadline, walk, s).await;
        let mut batch = Batch::default();
        for (n, record) in records.iter().enumerate() {
            if states[n] != State::ObjectsGone {
                continue;
            }
            if passed(deadline) {
                states[n] = State::Untouched;
                continue;
            }
            match self.comments.comment_keys(&record.video_id, FIRST_PASS_COMMENTS).await {
                Ok(page) => {
                    states[n] = if page.more { State::Started } else { State::Done };
                    batch.owners.extend(std::iter::repeat_n(n, page.keys.len()));
                    batch.keys.extend(page.keys);
                }
                Err(err) => fail(&mut states[n], s, &err, &record.video_id),
            }
            if batch.keys.len() >= BATCH {
                self.write_batch(&mut batch, false, records, &mut states, s).await;
            }
        }
        self.write_batch(&mut batch, true, records, &mut states, s).await;
        for (record, state) in records.iter().zip(&states) {
            if *state == State::Started && walk.cut_short.len() < CUT_SHORT_MAX {
                walk.cut_short.push(record.clone());
            }
        }
        let done: Vec<String> = records
            .iter()
            .zip(&states)
            .filter(|(_, st)| **st == State::Done)
            .map(|(r, _)| r.video_id.clone())
            .collect();
        let left = records.len() - done.len();
        s.records_unfinished += left;
        if let Err(err) = self.queue.remove(&done).await {
            tracing::warn!(error = %err.cause(), records = done.len(), "removing done records failed");
            s.errors += 1;
            s.records_unfinished += done.len();
            return;
        }
        s.records_processed += done.len();
    }

    /// The records the first pass cut short, each within an equal share of
    /// the time left (a share one leaves unused goes to the next). How many
    /// were finished and left the queue.
    async fn second_pass(&self, records: Vec<DeletionRecord>, deadline: Instant, s: &mut SweepSummary) -> usize {
        let mut done = Vec::new();
        for (n, record) in records.iter().enumerate() {
            if passed(deadline) {
                break;
            }
            let share_ends = equal_share_ends(Instant::now(), deadline, records.len() - n);
            match self.drain_comments(&record.video_id, share_ends, s).await {
                Ok(true) => done.push(record.video_id.clone()),
                Ok(false) => {}
                Err(err) => {
                    tracing::warn!(error = %err.cause(), video = %record.video_id, "deleting comments failed");
                    s.errors += 1;
                }
            }
        }
        if done.is_empty() {
            return 0;
        }
        if let Err(err) = self.queue.remove(&done).await {
            tracing::warn!(error = %err.cause(), records = done.len(), "removing done records failed");
            s.errors += 1;
            return 0;
        }
        s.records_processed += done.len();
        done.len()
    }

    /// A video's comments, a page at a time until none is left (true) or
    /// `until` has passed (false).
    async fn drain_comments(&self, video_id: &str, until: Instant, s: &mut SweepSummary) -> ApiResult<bool> {
        loop {
            let page = self.comments.comment_keys(video_id, COMMENTS_PER_PAGE).await?;
            s.comments_deleted += self.comments.delete_comments(&page.keys).await?;
            if !page.more {
                return Ok(true);
            }
            if passed(until) {
                return Ok(false);
            }
        }
    }

    /// Deletes the full batches of `batch` (all of it when `all`); a failed
    /// write fails the records whose comments it held.
    async fn write_batch(
        &self,
        batch: &mut Batch,
        all: bool,
        records: &[DeletionRecord],
        states: &mut [State],
        s: &mut SweepSummary,
    ) {
        let n = if all { batch.keys.len() } else { batch.keys.len() / BATCH * BATCH };
        if n == 0 {
            return;
        }
        let keys: Vec<CommentKey> = batch.keys.drain(..n).collect();
        let owners: Vec<usize> = batch.owners.drain(..n).collect();
        match self.comments.delete_comments(&keys).await {
            Ok(deleted) => s.comments_deleted += deleted,
            Err(err) => {
                let mut owners = owners;
                owners.dedup();
                for owner in owners {
                    fail(&mut states[owner], s, &err, &records[owner].video_id);
                }
            }
        }
    }

    /// Aborts each record's uploads and deletes its objects (one
    /// DeleteObjects for the page, record by record if that fails), until
    /// `deadline`: records not reached stay `Untouched`.
    async fn remove_objects(
        &self,
        records: &[DeletionRecord],
        deadline: Instant,
        walk: &mut Walk,
        s: &mut SweepSummary,
    ) -> Vec<State> {
        let mut states = vec![State::Untouched; records.len()];
        if walk.uploads.is_none() {
            match self.uploads_by_key().await {
                Ok(listed) => walk.uploads = Some(listed),
                Err(err) => {
                    // Without the list no upload can be aborted: leave the records.
                    tracing::warn!(error = %err.cause(), records = records.len(), "listing uploads failed");
                    s.errors += 1;
                    return vec![State::Failed; records.len()];
                }
            }
        }
        let uploads = walk.uploads.as_ref().expect("listed above");
        for (n, record) in records.iter().enumerate() {
            if passed(deadline) {
                break;
            }
            states[n] = State::ObjectsGone;
            let key = video_object_key(&record.video_id);
            for upload_id in uploads.get(&key).into_iter().flatten() {
                match self.uploads.abort_upload(&key, upload_id).await {
                    Ok(()) => s.uploads_aborted += 1,
                    Err(err) => fail(&mut states[n], s, &err, &record.video_id),
                }
            }
            for prefix in &record.object_prefixes {
                if states[n] != State::Failed {
                    match self.objects.delete_prefix(prefix).await {
                        Ok(deleted) => s.objects_deleted += deleted,
                        Err(err) => fail(&mut states[n], s, &err, &record.video_id),
                    }
                }
            }
        }
        let keys_of = |n: usize| records[n].object_keys.iter().cloned();
        let ok: Vec<usize> = (0..records.len()).filter(|n| states[*n] == State::ObjectsGone).collect();
        let keys: Vec<String> = ok.iter().flat_map(|n| keys_of(*n)).collect();
        match self.objects.delete_objects(&keys).await {
            Ok(deleted) => s.objects_deleted += deleted,
            Err(err) => {
                tracing::warn!(error = %err.cause(), "deleting a page's objects failed; record by record");
                for n in ok {
                    match self.objects.delete_objects(&keys_of(n).collect::<Vec<_>>()).await {
                        Ok(deleted) => s.objects_deleted += deleted,
                        Err(err) => fail(&mut states[n], s, &err, &records[n].video_id),
                    }
                }
            }
        }
        states
    }

    /// Multipart uploads in progress, by key.
    async fn uploads_by_key(&self) -> ApiResult<HashMap<String, Vec<String>>> {
        let mut by_key: HashMap<String, Vec<String>> = HashMap::new();
        for (key, upload_id) in self.uploads.uploads_in_progress().await? {
            by_key.entry(key).or_default().push(upload_id);
        }
        Ok(by_key)
    }
}

/// A record's step failed: it stays queued for the next run.
fn fail(state: &mut State, s: &mut SweepSummary, err: &ApiError, video_id: &str) {
    if *state != State::Failed {
        tracing::warn!(error = %err.cause(), video = %video_id, "a deletion record's step failed");
        s.errors += 1;
        *state = State::Failed;
    }
}
