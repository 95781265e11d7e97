//! `vidlet upload`: create (or resume) a video, send its missing parts, complete it.

mod parts;
mod plan;
mod state;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::api::{Api, NewVideo, Video};
use crate::error::{CliError, Result};
use crate::interrupt::Interrupt;
use crate::progress::upload_bar;
use parts::PartSender;
use plan::{missing_parts_in_message, Plan};
use state::{FileIdentity, StateFile, UploadState};

pub struct UploadRequest {
    pub file: PathBuf,
    pub name: Option<String>,
    pub description: Option<String>,
    pub privacy: Option<&'static str>,
    pub parallel: usize,
}

/// A video to send parts of: which, how it is split, and what is still missing.
struct Pending {
    video_id: String,
    plan: Plan,
    missing: Vec<u32>,
}

pub async fn run(api: Api, config_dir: &Path, base_url: &str, request: UploadRequest) -> Result<()> {
    let content_type = plan::content_type(&request.file).map_err(CliError::Input)?;
    let path = std::fs::canonicalize(&request.file).map_err(|e| CliError::io_at("open", &request.file, e))?;
    let file = File::open(&path).map_err(|e| CliError::io_at("open", &path, e))?;
    let metadata = file.metadata().map_err(|e| CliError::io_at("read", &path, e))?;
    if !metadata.is_file() {
        return Err(CliError::Input(format!("{} is not a regular file", path.display())));
    }
    if metadata.len() == 0 {
        return Err(CliError::Input(format!("{} is empty", path.display())));
    }
    let identity = FileIdentity::new(path.clone(), &metadata);
    let state_file = StateFile::for_file(config_dir, &identity);
    let interrupt = Interrupt::listen();

    let pending = match resume(&api, &state_file, &identity, base_url).await? {
        Some(pending) => pending,
        None => start(&api, &state_file, identity, base_url, &request, content_type).await?,
    };
    if interrupt.is_set() {
        return Err(CliError::Interrupted);
    }
    let Pending { video_id, plan, missing } = pending;
    let bar = upload_bar(plan.size, plan.size - plan.bytes_of(&missing));
    let sender = Arc::new(PartSender {
        api,
        video_id,
        plan,
        file: Arc::new(file),
        path,
        bar: bar.clone(),
        parallel: request.parallel,
        interrupt,
    });
    match send_and_complete(&sender, &missing).await {
        Ok(video) => {
            bar.finish_and_clear();
            state_file.remove()?;
            println!("{} {}", video.id, video.status);
            Ok(())
        }
        Err(error) => {
            bar.abandon();
            if is_rejection(&error, plan.part_count) {
                state_file.remove()?;
            }
            Err(error)
        }
    }
}

/// The pending upload saved for this file, if the server still has it pending.
async fn resume(api: &Api, state_file: &StateFile, file: &FileIdentity, base_url: &str) -> Result<Option<Pending>> {
    let Some(saved) = state_file.load()? else { return Ok(None) };
    if saved.file != *file || saved.base_url != base_url {
        state_file.remove()?;
        return Ok(None);
    }
    let status = match api.upload_status(&saved.video_id).await {
        Ok(status) => status,
        // Its parts were joined but it was not published (a complete that failed
        // late): completing again settles it, with no part to send.
        Err(error) if error.status() == Some(409) && api.complete(&saved.video_id).await.is_ok() => {
            eprintln!("resuming upload of {}: every part already uploaded", saved.video_id);
            let plan = Plan::whole(file.size);
            return Ok(Some(Pending { video_id: saved.video_id, plan, missing: Vec::new() }));
        }
        Err(error) if matches!(error.status(), Some(404 | 409)) => {
            eprintln!("video {} is no longer pending ({error}); starting a new upload", saved.video_id);
            state_file.remove()?;
            return Ok(None);
        }
        Err(error) => return Err(error),
    };
    let plan = Plan::new(file.size, status.layout).map_err(CliError::Protocol)?;
    let missing = plan.missing(&status.parts);
    let uploaded = plan.part_count as usize - missing.len();
    eprintln!("resuming upload of {}: {uploaded} of {} parts already uploaded", saved.video_id, plan.part_count);
    Ok(Some(Pending { video_id: saved.video_id, plan, missing }))
}

async fn start(
    api: &Api,
    state_file: &StateFile,
    file: FileIdentity,
    base_url: &str,
    request: &UploadRequest,
    content_type: &str,
) -> Result<Pending> {
    let name = request.name.clone().unwrap_or_else(|| default_name(&file.path));
    let new_video = NewVideo {
        name: &name,
        description: request.description.as_deref(),
        content_type,
        size: file.size,
        privacy: request.privacy,
    };
    let created = api.create_video(&new_video).await?;
    let video_id = created.video.id;
    let plan = Plan::new(file.size, created.upload).map_err(CliError::Protocol)?;
    state_file.save(&UploadState { video_id: video_id.clone(), base_url: base_url.to_string(), file })?;
    eprintln!("created video {video_id}: {} parts", plan.part_count);
    Ok(Pending { video_id, missing: plan.all_parts(), plan })
}

/// Sends the parts, then completes; when `complete` names missing parts, sends those and
/// completes once more.
async fn send_and_complete(sender: &Arc<PartSender>, missing: &[u32]) -> Result<Video> {
    sender.send(missing).await?;
    let first = complete(sender).await;
    let named = match &first {
        Err(CliError::Api { status: 422, message, .. }) => missing_parts_in_message(message, sender.plan.part_count),
        _ => None,
    };
    let Some(named) = named else { return first };
    let list: Vec<String> = named.iter().map(u32::to_string).collect();
    sender.bar.suspend(|| eprintln!("the server is missing parts {}; sending them again", list.join(", ")));
    sender.bar.dec(sender.plan.bytes_of(&named));
    sender.send(&named).await?;
    complete(sender).await
}

/// `POST /complete`, tried again after a 5xx or a lost connection (it is idempotent).
async fn complete(sender: &PartSender) -> Result<Video> {
    let mut attempt = 0;
    loop {
        match sender.api.complete(&sender.video_id).await {
            Err(error) if attempt < 3 && error.is_transient() => {
                attempt += 1;
                sender.bar.suspend(|| eprintln!("completing failed ({error}); trying again"));
                tokio::time::sleep(std::time::Duration::from_secs(1 << attempt)).await;
            }
            result => return result,
        }
    }
}

/// A 422 that names no missing parts: the server rejected the video for good.
fn is_rejection(error: &CliError, part_count: u32) -> bool {
    match error {
        CliError::Api { status: 422, message, .. } => missing_parts_in_message(message, part_count).is_none(),
        _ => false,
    }
}

fn default_name(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or("video".into())
}
