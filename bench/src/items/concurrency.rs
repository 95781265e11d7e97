//! Item 6, concurrency: one instance of a release function with
//! `AWS_LAMBDA_MAX_CONCURRENCY=64` behind the mini gateway, loaded by 64
//! clients for a fixed time (127.0.0.1 only, bounded in time).

use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use crate::lambda::gateway::Gateway;
use crate::lambda::instance::{binary, Instance};
use crate::lambda::runtime_api::RuntimeApi;
use crate::report::{Section, Table};
use crate::seed::Fixture;
use crate::stack::Stack;
use crate::stats::{ms, verdict, Samples};
use crate::Result;

pub const CONCURRENCY: usize = 64;

struct Load {
    samples: Samples,
    errors: usize,
    took: Duration,
    max_in_flight: usize,
}

/// `clients` loops of GET `path` until `duration` has passed.
async fn load(stack: &Stack, function: &str, path: &str, duration: Duration) -> Result<Load> {
    let mut env = stack.function_env(function);
    env.push(("AWS_LAMBDA_MAX_CONCURRENCY".into(), CONCURRENCY.to_string()));
    let mut instance = Instance::spawn(&binary(function), function, &env, RuntimeApi::start(function).await?)?;
    instance.ready(Duration::from_secs(30)).await?;
    let gateway = Gateway::start(instance.api.clone()).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONCURRENCY * 2).build()?;
    let url = gateway.url(path);

    // Warm-up: every client's connection and the instance's connections to storage.
    drive(&client, &url, Instant::now() + Duration::from_secs(2)).await;
    let started = Instant::now();
    let (samples, errors) = drive(&client, &url, started + duration).await;
    let took = started.elapsed();
    let max_in_flight = instance.api.max_in_flight();
    instance.stop().await;
    Ok(Load { samples, errors, took, max_in_flight })
}

async fn drive(client: &reqwest::Client, url: &str, until: Instant) -> (Samples, usize) {
    let mut clients = JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, url) = (client.clone(), url.to_owned());
        clients.spawn(async move {
            let (mut samples, mut errors) = (Samples::default(), 0);
            while Instant::now() < until {
                let started = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(response) => response.status().as_u16() == 200 && response.bytes().await.is_ok(),
                    Err(_) => false,
                };
                samples.push(started.elapsed());
                errors += usize::from(!ok);
            }
            (samples, errors)
        });
    }
    let (mut all, mut errors) = (Samples::default(), 0);
    while let Some(Ok((samples, e))) = clients.join_next().await {
        all.extend(&samples);
        errors += e;
    }
    (all, errors)
}

/// p50 per function (ms) under load, for the cost model.
pub type LoadedMedians = Vec<(String, f64)>;

pub async fn run(stack: &Stack, fixture: &Fixture, duration: Duration) -> Result<(Section, LoadedMedians)> {
    let targets = [("list-videos", "feed: `GET /videos`".to_owned(), "/videos".to_owned()), {
        let id = &fixture.videos[2];
        ("get-video", "video read: `GET /videos/{id}`".to_owned(), format!("/videos/{id}"))
    }];
    let mut table =
        Table::new(&["function", "request", "requests", "requests/s", "p50 ms", "p99 ms", "errors", "max in flight"]);
    let mut medians = LoadedMedians::new();
    let mut total_errors = 0;
    let mut min_in_flight = usize::MAX;
    for (function, what, path) in &targets {
        let l = load(stack, function, path, duration).await?;
        total_errors += l.errors;
        min_in_flight = min_in_flight.min(l.max_in_flight);
        medians.push((function.to_string(), l.samples.median()));
        table.row(vec![
            format!("`{function}`"),
            what.clone(),
            l.samples.len().to_string(),
            format!("{:.0}", l.samples.len() as f64 / l.took.as_secs_f64()),
            ms(l.samples.median()),
            ms(l.samples.percentile(99.0)),
            l.errors.to_string(),
            l.max_in_flight.to_string(),
        ]);
    }
    let mut section = Section::new(
        "6. Concurrency: one instance, 64 at a time",
        &format!(
            "whether one instance serves {CONCURRENCY} invocations at once (`lambda_http::run_concurrent`, \
             `AWS_LAMBDA_MAX_CONCURRENCY={CONCURRENCY}`): {CONCURRENCY} clients loop for {} s on each function \
             through the mini gateway. *Max in flight* is the most invocations the runtime API had handed to the \
             instance without an answer yet.",
            duration.as_secs()
        ),
    );
    section.goal(format!("0 errors: {total_errors}; {}", verdict(total_errors == 0)));
    section.goal(format!(
        "the instance really runs invocations concurrently: max in flight {min_in_flight} of {CONCURRENCY}; {}",
        verdict(min_in_flight > CONCURRENCY / 2)
    ));
    section.table("", table);
    section.note(
        "Everything shares the 2 cores: the clients and the gateway (this process), the function, and DynamoDB Local \
         (Java), so requests/s is this machine's ceiling for the whole stack, not the function's."
            .into(),
    );
    Ok((section, medians))
}
