//! Tracing setup. JSON lines when Lambda asks for them (`AWS_LAMBDA_LOG_FORMAT=JSON`).

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .without_time(); // CloudWatch stamps each line
    let _ = if json { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
}
