//! `infra bootstrap` creates the local tables and bucket from template.yaml;
//! `infra routes [--check]` regenerates the watch router in Cargo.toml.

use std::collections::HashMap;
use std::process::ExitCode;

use infra::{bootstrap, repo_root, routes, template::Template};

const USAGE: &str = "usage: infra bootstrap | infra routes [--check]";
const LOCAL_SITE_ORIGINS: &str = "http://127.0.0.1:9000,http://localhost:9000";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["bootstrap"] => run_bootstrap().await,
        ["routes"] => write_routes(false),
        ["routes", "--check"] => write_routes(true),
        _ => Err(USAGE.into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("infra: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run_bootstrap() -> Result<(), infra::template::Error> {
    let template = Template::load(&repo_root().join("template.yaml"))?;
    let config = vidlet::config::Config::from_env();
    let prefix = std::env::var("TABLE_PREFIX").unwrap_or_else(|_| "vidlet_".into());
    // The page's local origins (`make dev`'s); the template's default allows no local one.
    let origins = std::env::var("SITE_ORIGINS").unwrap_or_else(|_| LOCAL_SITE_ORIGINS.to_owned());
    let params = HashMap::from([("SiteOrigin".to_string(), origins.split(',').map(str::to_owned).collect())]);
    let (dynamodb, s3) = (vidlet::store::client::dynamodb(), vidlet::store::client::s3());
    bootstrap::bootstrap(&dynamodb, &s3, &template, &prefix, &config.bucket, &params).await?;
    println!("bootstrapped tables {prefix}* and bucket {}", config.bucket);
    Ok(())
}

fn write_routes(check: bool) -> Result<(), infra::template::Error> {
    let path = repo_root().join("Cargo.toml");
    let current = std::fs::read_to_string(&path)?;
    let generated = routes::with_generated_router(&current)?;
    if check {
        if generated != current {
            return Err("the watch router in Cargo.toml is stale: run `cargo run -p infra -- routes`".into());
        }
    } else if generated != current {
        std::fs::write(&path, generated)?;
        println!("updated the watch router in Cargo.toml");
    }
    Ok(())
}
