//! `vidlet`, the command-line client. See README.md.

mod api;
mod args;
mod commands;
mod devices;
mod error;
mod interrupt;
mod progress;
mod session;
mod table;
mod upload;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
