//! Item 5, the deletion sweep on a queue of deleted videos, each with an object and
//! three comments, on counted clients: one short run that must stop early and
//! lose nothing, then runs until the queue is empty.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_s3::primitives::ByteStream;
use vidlet::config::Table;
use vidlet::domain::video::{video_object_key, Comment, DeletionRecord};
use vidlet::handlers::sweep::{Sweep, SweepSummary};
use vidlet::store::call_counter::CallCounter;
use vidlet::store::s3::{MEDIA, VIDEOS};

use crate::report::{Section, Table as MdTable};
use crate::seed::{batch_put, concurrently, list_keys, scan_attribute, Item};
use crate::stack::Stack;
use crate::stats::verdict;
use crate::Result;

pub const COMMENTS_PER_VIDEO: usize = 3;
pub const S3_GOAL: f64 = 0.1;
/// "Near 25" (BatchWriteItem's limit).
pub const BATCH_GOAL: f64 = 24.0;

#[derive(Clone, Copy)]
pub struct Plan {
    pub videos: usize,
    pub short_budget: Duration,
}

/// Puts the queue in place as the app leaves it: objects, comments, records.
async fn seed(stack: &Stack, videos: usize) -> Result<(Vec<String>, Duration, Duration)> {
    let ids: Vec<String> = (0..videos).map(|_| uuid::Uuid::now_v7().to_string()).collect();
    let started = Instant::now();
    concurrently(ids.clone(), 32, |id| {
        let (s3, bucket) = (stack.s3.clone(), stack.config.bucket.clone());
        async move {
            let body = ByteStream::from_static(b"tiny video");
            s3.put_object().bucket(bucket).key(video_object_key(&id)).body(body).send().await?;
            Ok(())
        }
    })
    .await?;
    let objects_took = started.elapsed();

    let started = Instant::now();
    let now = vidlet::domain::now_epoch();
    let mut records: Vec<Item> = Vec::with_capacity(videos);
    let mut comments: Vec<Item> = Vec::with_capacity(videos * COMMENTS_PER_VIDEO);
    for id in &ids {
        // As DynamoVideos::record_put writes it for a video without poster or ladder: the record
        // plus its queue key.
        let mut record: Item = serde_dynamo::to_item(
            DeletionRecord::for_video(id, "deleted", now, 0).without_posters().without_renditions(),
        )?;
        record.insert("queue".into(), AttributeValue::S("deletions".into()));
        records.push(record);
        for n in 0..COMMENTS_PER_VIDEO {
            let comment = Comment {
                video_id: id.clone(),
                comment_id: uuid::Uuid::now_v7().to_string(),
                author: "benchuser".into(),
                content: format!("comment {n}"),
                created_at: now,
            };
            comments.push(serde_dynamo::to_item(comment)?);
        }
    }
    batch_put(&stack.dynamodb, stack.table(Table::Comments), comments, 8).await?;
    batch_put(&stack.dynamodb, stack.table(Table::Deletions), records, 8).await?;
    Ok((ids, objects_took, started.elapsed()))
}

/// What is left: queued record ids, object ids and commented video ids.
struct Left {
    records: HashSet<String>,
    objects: HashSet<String>,
    comments: HashSet<String>,
    comment_count: usize,
}

async fn left(stack: &Stack) -> Result<Left> {
    let records: HashSet<String> =
        scan_attribute(&stack.dynamodb, stack.table(Table::Deletions), "video_id").await?.into_iter().collect();
    let keys = list_keys(&stack.s3, &stack.config.bucket, "videos/").await?;
    let objects = keys.iter().map(|k| k.trim_start_matches("videos/").to_owned()).collect();
    let comment_ids = scan_attribute(&stack.dynamodb, stack.table(Table::Comments), "video_id").await?;
    let comment_count = comment_ids.len();
    Ok(Left { records, objects, comments: comment_ids.into_iter().collect(), comment_count })
}

struct Run {
    budget: Duration,
    took: Duration,
    summary: SweepSummary,
}

fn add(total: &mut BTreeMap<String, usize>, calls: BTreeMap<String, usize>) {
    for (op, n) in calls {
        *total.entry(op).or_default() += n;
    }
}

pub async fn run(plan: &Plan) -> Result<Section> {
    Stack::scoped("sweep_", async |stack| run_on(stack, plan).await).await
}

async fn run_on(stack: &Stack, plan: &Plan) -> Result<Section> {
    let (ids, objects_took, items_took) = seed(stack, plan.videos).await?;
    let counter = CallCounter::default();
    // Wired as functions/sweep wires it, on counted clients.
    let (db, bucket) = stack.counted(&counter);
    let sweep = Sweep {
        pending: db.clone(),
        queue: db.clone(),
        uploads: bucket.scoped(VIDEOS),
        objects: bucket.scoped(MEDIA),
        comments: db.clone(),
        accounts: db,
        config: stack.config.clone(),
    };
    let mut runs = Vec::new();
    let mut calls = BTreeMap::new();

    // A short budget first: it must stop with work left and lose nothing.
    let started = Instant::now();
    let summary = sweep.run(plan.short_budget).await.map_err(|e| format!("sweep: {e:?}"))?;
    runs.push(Run { budget: plan.short_budget, took: started.elapsed(), summary });
    add(&mut calls, counter.take());
    let after_short = left(stack).await?;
    let first = &runs[0].summary;
    let orphans = after_short.objects.difference(&after_short.records).count()
        + after_short.comments.difference(&after_short.records).count();
    let accounted = first.records_processed + after_short.records.len() == ids.len();
    let stopped_early = !first.finished && !after_short.records.is_empty();

    // Then as many runs as it takes, each with a minute's budget like the deployed one.
    let budget = Duration::from_secs(55);
    while !runs.last().is_some_and(|r| r.summary.finished) && runs.len() < 20 {
        let started = Instant::now();
        let summary = sweep.run(budget).await.map_err(|e| format!("sweep: {e:?}"))?;
        runs.push(Run { budget, took: started.elapsed(), summary });
        add(&mut calls, counter.take());
    }
    let end = left(stack).await?;
    let all_gone = end.records.is_empty() && end.objects.is_empty() && end.comment_count == 0;

    let total_time: Duration = runs.iter().map(|r| r.took).sum();
    let videos = ids.len() as f64;
    let processed: usize = runs.iter().map(|r| r.summary.records_processed).sum();
    let comments_deleted: usize = runs.iter().map(|r| r.summary.comments_deleted).sum();
    let errors: usize = runs.iter().map(|r| r.summary.errors).sum();
    let sum = |prefix: &str| calls.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(_, n)| n).sum::<usize>();
    let (s3_calls, dynamo_calls) = (sum("S3."), sum("DynamoDB."));
    let batch_calls = calls.get("DynamoDB.BatchWriteItem").copied().unwrap_or(0);
    // Every comment and every record leaves through BatchWriteItem.
    let per_batch = (comments_deleted + processed) as f64 / batch_calls.max(1) as f64;
    let s3_per_video = s3_calls as f64 / videos;
    let records_per_s = processed as f64 / total_time.as_secs_f64();

    let mut runs_table =
        MdTable::new(&["run", "budget", "took", "records", "objects", "comments", "errors", "finished"]);
    for (n, run) in runs.iter().enumerate() {
        let s = &run.summary;
        runs_table.row(vec![
            (n + 1).to_string(),
            format!("{:.1} s", run.budget.as_secs_f64()),
            format!("{:.1} s", run.took.as_secs_f64()),
            s.records_processed.to_string(),
            s.objects_deleted.to_string(),
            s.comments_deleted.to_string(),
            s.errors.to_string(),
            s.finished.to_string(),
        ]);
    }
    let ops = calls.iter().map(|(op, n)| format!("{op} ×{n}")).collect::<Vec<_>>().join(", ");
    let mut metrics = MdTable::new(&["measure", "vidlet", "original (video_server)", "goal"]);
    metrics.row(vec![
        "time for the whole queue".into(),
        format!("{:.1} s", total_time.as_secs_f64()),
        format!("{videos:.0} s ({:.1} h): 3 videos every 3 s", videos / 3600.0),
        "–".into(),
    ]);
    metrics.row(vec!["videos per second".into(), format!("{records_per_s:.0}"), "1".into(), "–".into()]);
    metrics.row(vec![
        "S3 calls per deleted video".into(),
        format!("{s3_per_video:.4} ({s3_calls} calls)"),
        "–".into(),
        format!("≤ {S3_GOAL}: {}", verdict(s3_per_video <= S3_GOAL)),
    ]);
    metrics.row(vec![
        "DynamoDB calls per deleted video".into(),
        format!("{:.2} ({dynamo_calls} calls)", dynamo_calls as f64 / videos),
        "–".into(),
        "–".into(),
    ]);
    metrics.row(vec![
        "items per BatchWriteItem".into(),
        format!("{per_batch:.1} ({batch_calls} calls)"),
        "– (no batching)".into(),
        format!("near 25: {}", verdict(per_batch >= BATCH_GOAL)),
    ]);
    metrics.row(vec![
        "storage calls per deleted video, total".into(),
        format!("{:.2}", (s3_calls + dynamo_calls) as f64 / videos),
        "≥ 2".into(),
        "–".into(),
    ]);

    let mut section = Section::new(
        "5. The deletion sweep",
        &format!(
            "how the sweep drains a large queue: {} deleted videos, each with an object and {COMMENTS_PER_VIDEO} comments \
             (seeded in {:.1} s for the objects, 32 PUTs at a time, and {:.1} s for the items with BatchWriteItem), swept \
             in-process by `vidlet::handlers::sweep::Sweep::run`, wired as the sweep function wires it, on clients \
             whose calls are counted.",
            ids.len(),
            objects_took.as_secs_f64(),
            items_took.as_secs_f64()
        ),
    );
    section.goal(format!(
        "the {:.1}-s run stops early with `finished: false` and loses nothing: {} ({} records left, every left object \
         and comment still has its record: {} orphans; processed + left = queued: {accounted}); {}",
        plan.short_budget.as_secs_f64(),
        if stopped_early { "it stopped early" } else { "it did not stop early" },
        after_short.records.len(),
        orphans,
        verdict(stopped_early && orphans == 0 && accounted)
    ));
    section.goal(format!(
        "at the end every object, comment and record is gone: {} records, {} objects, {} comments left; {}",
        end.records.len(),
        end.objects.len(),
        end.comment_count,
        verdict(all_gone && errors == 0)
    ));
    section.goal(format!(
        "S3 calls per deleted video ≤ {S3_GOAL}: {s3_per_video:.4}; {}",
        verdict(s3_per_video <= S3_GOAL)
    ));
    section.goal(format!("items per BatchWriteItem near 25: {per_batch:.1}; {}", verdict(per_batch >= BATCH_GOAL)));
    section.table("Runs:", runs_table);
    section.table("Per deleted video:", metrics);
    section.note(format!("Calls by operation over all runs: {ops}."));
    section.note(
        "DynamoDB calls per video stay above 1 because the sweep queries each video's comments (one Query per video, \
         the comments table being keyed by video); objects, comments and records themselves go in batches."
            .into(),
    );
    Ok(section)
}
