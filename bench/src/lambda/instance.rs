//! A function instance: the release binary started with the environment
//! Lambda gives it, polling its own runtime API.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use super::runtime_api::{Reply, RuntimeApi};
use crate::Result;

pub struct Instance {
    pub api: Arc<RuntimeApi>,
    child: Child,
    /// Just before the process was spawned.
    pub spawned: Instant,
}

/// `target/release/<name>` (or under `BENCH_BIN_DIR`, to try the bench on other builds).
pub fn binary(name: &str) -> PathBuf {
    match std::env::var_os("BENCH_BIN_DIR") {
        Some(dir) => PathBuf::from(dir).join(name),
        None => infra::repo_root().join("target").join("release").join(name),
    }
}

/// Where the instances' log lines go (one file per function).
pub fn log_dir() -> PathBuf {
    infra::repo_root().join("target").join("bench").join("logs")
}

impl Instance {
    /// Starts `binary` with `env` (and `AWS_LAMBDA_RUNTIME_API` pointing at `api`).
    pub fn spawn(binary: &Path, name: &str, env: &[(String, String)], api: RuntimeApi) -> Result<Self> {
        let log_path = log_dir().join(format!("{name}.log"));
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&log_path)?;
        let mut command = Command::new(binary);
        command
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true);
        let spawned = Instant::now();
        let child = command.spawn().map_err(|e| format!("{}: {e}", binary.display()))?;
        Ok(Instance { api: Arc::new(api), child, spawned })
    }

    /// Waits for an answer, failing if the process exits or `limit` passes first.
    pub async fn answer(&mut self, reply: tokio::sync::oneshot::Receiver<Reply>, limit: Duration) -> Result<Reply> {
        tokio::select! {
            answer = reply => Ok(answer.map_err(|_| "the invocation was dropped")?),
            status = self.child.wait() => {
                let init = self.api.init_error().unwrap_or_default();
                Err(format!("the function exited ({:?}) before answering {init}", status.ok()).into())
            }
            _ = tokio::time::sleep(limit) => Err(format!("no answer within {limit:?}").into()),
        }
    }

    /// Waits until the runtime first polls for an event (the instance is warm).
    pub async fn ready(&mut self, limit: Duration) -> Result<()> {
        let deadline = Instant::now() + limit;
        while self.api.first_next().is_none() {
            if Instant::now() > deadline {
                return Err("the function never polled for an event".into());
            }
            if let Some(status) = self.child.try_wait()? {
                return Err(format!("the function exited at init ({status})").into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(())
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
