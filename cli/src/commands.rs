//! The commands, on top of the API client and the session file.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use crate::api::Api;
use crate::args::{Cli, Command, UploadArgs};
use crate::devices::Devices;
use crate::error::{CliError, Result};
use crate::session::{config_dir, Session};
use crate::table::{human_size, videos_table};
use crate::upload::{self, UploadRequest};

pub const DEFAULT_URL: &str = "http://127.0.0.1:9000";
/// A guard against a server that keeps answering with a next cursor.
const MAX_PAGES: usize = 10_000;

pub async fn run(cli: Cli) -> Result<()> {
    let url = cli.url.as_deref().map(normalize_url);
    match cli.command {
        Command::Login { username } => login(url.unwrap_or_else(|| DEFAULT_URL.into()), username).await,
        Command::Logout => logout().await,
        Command::Upload(args) => upload(url, args).await,
        Command::Ls => list(url).await,
        Command::Rm { id } => remove(url, &id).await,
    }
}

/// The saved session, as long as it is for `url` (when one is given).
fn logged_in(url: Option<String>) -> Result<(PathBuf, Session, Api)> {
    let dir = config_dir()?;
    match Session::load(&dir)? {
        Some(session) if url.as_ref().is_none_or(|url| *url == session.base_url) => {
            let api = Api::new(&session.base_url, Some(session.session_id.clone()))?;
            Ok((dir, session, api))
        }
        Some(session) => Err(CliError::NotLoggedIn(url.unwrap_or(session.base_url))),
        None => Err(CliError::NotLoggedIn(url.unwrap_or_else(|| DEFAULT_URL.into()))),
    }
}

async fn login(base_url: String, username: Option<String>) -> Result<()> {
    let api = Api::new(&base_url, None)?;
    let username = match username {
        Some(username) => username,
        None => prompt_line("username: ")?,
    };
    let username = username.trim();
    if username.is_empty() {
        return Err(CliError::Input("no user name given".into()));
    }
    let password = read_password()?;
    let dir = config_dir()?;
    let mut devices = Devices::load(&dir);
    let created = api.login(username, &password, devices.token(&base_url, username)).await?;
    if let Some(token) = created.device_token {
        devices.remember(&base_url, &created.user.username, token);
        devices.save(&dir)?;
    }
    let session = Session { base_url, session_id: created.session_id, username: created.user.username };
    session.save(&dir)?;
    println!("logged in as {} at {}", session.username, session.base_url);
    Ok(())
}

async fn logout() -> Result<()> {
    let dir = config_dir()?;
    let Some(session) = Session::load(&dir)? else {
        eprintln!("not logged in");
        return Ok(());
    };
    match Api::new(&session.base_url, Some(session.session_id))?.logout().await {
        Ok(()) | Err(CliError::SessionRejected) => {}
        Err(error) => return Err(error),
    }
    Session::remove(&dir)?;
    println!("logged out");
    Ok(())
}

async fn upload(url: Option<String>, args: UploadArgs) -> Result<()> {
    let (dir, session, api) = logged_in(url)?;
    let request = UploadRequest {
        file: args.file,
        name: args.name,
        description: args.description,
        privacy: args.privacy.map(|privacy| privacy.as_str()),
        parallel: usize::from(args.parallel),
    };
    upload::run(api, &dir, &session.base_url, request).await
}

async fn list(url: Option<String>) -> Result<()> {
    let (_, _, api) = logged_in(url)?;
    let me = api.me().await?;
    let mut videos = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = api.user_videos(&me.username, cursor.as_deref()).await?;
        videos.extend(page.videos);
        match page.next_cursor.filter(|next| !next.is_empty() && Some(next) != cursor.as_ref()) {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    if videos.is_empty() {
        eprintln!("no videos");
    } else {
        print!("{}", videos_table(&videos));
    }
    if let (Some(used), Some(quota)) = (me.used_bytes, me.quota_bytes) {
        eprintln!("{} of {} used", human_size(used), human_size(quota));
    }
    Ok(())
}

async fn remove(url: Option<String>, id: &str) -> Result<()> {
    // "." and ".." would leave the path segment; ids are UUIDs anyway.
    if id.trim_matches('.').is_empty() {
        return Err(CliError::Input(format!("{id:?} is not a video id")));
    }
    let (_, _, api) = logged_in(url)?;
    api.delete_video(id).await?;
    println!("deleted {id}");
    Ok(())
}

fn normalize_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

/// `$VIDLET_PASSWORD`, else a prompt without echo on a terminal, else a line of stdin.
fn read_password() -> Result<String> {
    if let Some(password) = std::env::var_os("VIDLET_PASSWORD") {
        return password.into_string().map_err(|_| CliError::Input("VIDLET_PASSWORD is not UTF-8".into()));
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password("password: ").map_err(|e| CliError::io("cannot read the password", e));
    }
    prompt_line("")
}

/// A line of stdin without its line ending (the prompt shows on a terminal only).
fn prompt_line(prompt: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() && !prompt.is_empty() {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line).map_err(|e| CliError::io("cannot read stdin", e))?;
    if read == 0 {
        return Err(CliError::Input("stdin ended before the user name or password".into()));
    }
    let trimmed = line.strip_suffix('\n').unwrap_or(&line);
    Ok(trimmed.strip_suffix('\r').unwrap_or(trimmed).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_trailing_slashes() {
        assert_eq!(normalize_url(" https://api.example.com/ "), "https://api.example.com");
        assert_eq!(normalize_url("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
    }
}
