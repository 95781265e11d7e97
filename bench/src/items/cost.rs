//! Item 7, cost model: AWS list prices (us-east-1) applied to the measured call
//! counts (item 1) and handler durations (item 3 and the upload fixture),
//! against the original design on one always-on VM with MySQL.

use std::collections::BTreeMap;

use crate::items::round_trips::Calls;
use crate::items::warm::{Case, RouteMedians};
use crate::report::{Section, Table};
use crate::stats::{ms, usd, Samples};
use crate::Result;

/// A list price: what, per what, USD, and since when it has been in force.
pub(super) struct Price {
    pub(super) what: &'static str,
    pub(super) unit: &'static str,
    pub(super) usd: f64,
    pub(super) since: &'static str,
}

impl Price {
    /// Its row in a price table: item, unit, USD, in force since.
    pub(super) fn row(&self) -> Vec<String> {
        vec![self.what.into(), self.unit.into(), format!("{}", self.usd), self.since.into()]
    }
}

const LAMBDA_GB_S: Price =
    Price { what: "Lambda arm64 compute", unit: "GB-second", usd: 0.000_013_333_4, since: "2021-09-29 (arm64 launch)" };
const LAMBDA_REQUEST: Price =
    Price { what: "Lambda requests", unit: "1M requests", usd: 0.20, since: "2014 (unchanged)" };
const HTTP_API: Price = Price {
    what: "API Gateway HTTP API",
    unit: "1M requests (first 300M/month)",
    usd: 1.00,
    since: "2020-03-12 (HTTP API GA)",
};
const DDB_READ: Price = Price {
    what: "DynamoDB on-demand reads",
    unit: "1M read request units",
    usd: 0.125,
    since: "2024-11-01 (on-demand price cut)",
};
const DDB_WRITE: Price = Price {
    what: "DynamoDB on-demand writes",
    unit: "1M write request units",
    usd: 0.625,
    since: "2024-11-01 (on-demand price cut)",
};
const S3_STORAGE: Price =
    Price { what: "S3 Standard storage", unit: "GB-month (first 50 TB)", usd: 0.023, since: "2016-12-01" };
const S3_PUT: Price =
    Price { what: "S3 PUT, COPY, POST, LIST", unit: "1,000 requests", usd: 0.005, since: "2016-12-01" };
pub(super) const S3_GET: Price =
    Price { what: "S3 GET, HEAD and other reads", unit: "1,000 requests", usd: 0.0004, since: "2016-12-01" };
pub(super) const EGRESS: Price = Price {
    what: "Data transfer out to the internet",
    unit: "GB (after 100 GB/month free, first 10 TB)",
    usd: 0.09,
    since: "2021-12-01 (100 GB free tier)",
};
const EC2_T4G_SMALL: Price =
    Price { what: "EC2 t4g.small on-demand (Linux)", unit: "hour", usd: 0.0168, since: "2020-09-14 (t4g launch)" };
const RDS_T4G_MICRO: Price = Price {
    what: "RDS for MySQL db.t4g.micro, Single-AZ",
    unit: "hour",
    usd: 0.016,
    since: "2021-09 (RDS t4g launch)",
};
const RDS_STORAGE: Price =
    Price { what: "RDS General Purpose (gp2) storage", unit: "GB-month", usd: 0.115, since: "2018 (unchanged)" };
const EBS_GP3: Price =
    Price { what: "EBS gp3 volume (the VM's disk)", unit: "GB-month", usd: 0.08, since: "2020-12-01 (gp3 launch)" };

const PRICES: [&Price; 13] = [
    &LAMBDA_GB_S,
    &LAMBDA_REQUEST,
    &HTTP_API,
    &DDB_READ,
    &DDB_WRITE,
    &S3_STORAGE,
    &S3_PUT,
    &S3_GET,
    &EGRESS,
    &EC2_T4G_SMALL,
    &RDS_T4G_MICRO,
    &RDS_STORAGE,
    &EBS_GP3,
];

const MEMORY_GB: f64 = 256.0 / 1024.0; // template.yaml's MemorySize
const HOURS_PER_MONTH: f64 = 730.0;
const VIDEO_GIB: f64 = 50.0 / 1024.0;
/// Ranged GETs a browser makes to play one video through (an assumption).
pub(super) const VIDEO_GETS_PER_PLAY: f64 = 2.0;

/// What one request costs in billable units.
#[derive(Default, Clone, Copy)]
struct Units {
    lambda_requests: f64,
    gb_seconds: f64,
    api_requests: f64,
    rru: f64,
    wru: f64,
    s3_gets: f64,
    s3_puts: f64,
}

impl Units {
    fn add(self, o: Units) -> Units {
        Units {
            lambda_requests: self.lambda_requests + o.lambda_requests,
            gb_seconds: self.gb_seconds + o.gb_seconds,
            api_requests: self.api_requests + o.api_requests,
            rru: self.rru + o.rru,
            wru: self.wru + o.wru,
            s3_gets: self.s3_gets + o.s3_gets,
            s3_puts: self.s3_puts + o.s3_puts,
        }
    }

    /// (line, USD) per item.
    fn lines(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("Lambda requests", self.lambda_requests * LAMBDA_REQUEST.usd / 1e6),
            ("Lambda compute (256 MB)", self.gb_seconds * LAMBDA_GB_S.usd),
            ("HTTP API requests", self.api_requests * HTTP_API.usd / 1e6),
            ("DynamoDB reads", self.rru * DDB_READ.usd / 1e6),
            ("DynamoDB writes", self.wru * DDB_WRITE.usd / 1e6),
            ("S3 GET/HEAD", self.s3_gets * S3_GET.usd / 1000.0),
            ("S3 PUT", self.s3_puts * S3_PUT.usd / 1000.0),
        ]
    }

    fn total(&self) -> f64 {
        self.lines().iter().map(|(_, v)| v).sum()
    }
}

/// Units of one route request: one invocation billed at its p50 (rounded up to
/// the millisecond, as Lambda bills), plus its counted storage calls.
fn route(calls: &BTreeMap<String, usize>, p50_ms: f64) -> Units {
    let mut u = Units {
        lambda_requests: 1.0,
        api_requests: 1.0,
        gb_seconds: p50_ms.ceil() / 1000.0 * MEMORY_GB,
        ..Default::default()
    };
    for (op, &n) in calls {
        let n = n as f64;
        match op.as_str() {
            // Items under 4 KB (reads, strongly consistent at worst) and 1 KB (writes).
            "DynamoDB.GetItem" | "DynamoDB.Query" => u.rru += n,
            "DynamoDB.PutItem" | "DynamoDB.UpdateItem" | "DynamoDB.DeleteItem" => u.wru += n,
            // Two items per transaction, each at twice the price.
            "DynamoDB.TransactWriteItems" => u.wru += 4.0 * n,
            "S3.GetObject" | "S3.HeadObject" => u.s3_gets += n,
            "S3.PutObject" => u.s3_puts += n,
            _ => {}
        }
    }
    u
}

fn calls_of(calls: &Calls, route: &str) -> Result<BTreeMap<String, usize>> {
    Ok(calls.get(route).cloned().ok_or_else(|| format!("item 1 has no row for {route}"))?)
}

fn median_of(medians: &RouteMedians, case: Case) -> f64 {
    medians.iter().find(|(c, _)| *c == case).map(|(_, v)| *v).unwrap_or(f64::NAN)
}

pub struct Inputs<'a> {
    pub calls: &'a Calls,
    pub warm: &'a RouteMedians,
    pub create_ms: &'a Samples,
    pub complete_ms: &'a Samples,
    pub poster_ms: &'a Samples,
    /// The slowest function's init p50 (item 2).
    pub worst_init_ms: f64,
}

pub fn run(i: &Inputs) -> Result<Section> {
    let get_video = calls_of(i.calls, "GET /videos/{id}")?;
    let (get_ms, view_ms, comments_ms) =
        (median_of(i.warm, Case::GetVideo), median_of(i.warm, Case::CountView), median_of(i.warm, Case::ListComments));
    // A play: the page's API calls (GET /videos/{id} carries the stream URL; the
    // poster route makes the same one GetItem), the view it reports once played,
    // then the video's ranged GETs and the poster's GET.
    let play_parts = [
        ("`GET /videos/{id}`", route(&get_video, get_ms), get_ms),
        ("`POST /videos/{id}/views`", route(&calls_of(i.calls, "POST /videos/{id}/views")?, view_ms), view_ms),
        (
            "`GET /videos/{id}/comments`",
            route(&calls_of(i.calls, "GET /videos/{id}/comments")?, comments_ms),
            comments_ms,
        ),
        ("`GET /videos/{id}/poster`", route(&get_video, get_ms), get_ms),
    ];
    let s3_play = Units { s3_gets: VIDEO_GETS_PER_PLAY + 1.0, ..Default::default() };
    let play = play_parts.iter().fold(s3_play, |acc, (_, u, _)| acc.add(*u));

    // An upload: create, the browser's PUT, complete, the poster's routes and PUT
    // (its confirmation billed at the poster route's time, which the seed measures).
    let poster_calls = calls_of(i.calls, "POST /videos/{id}/poster")?;
    let confirm_calls = calls_of(i.calls, "POST /videos/{id}/poster/complete")?;
    let (create_ms, complete_ms, poster_ms) = (i.create_ms.median(), i.complete_ms.median(), i.poster_ms.median());
    let upload_parts = [
        ("`POST /videos`", route(&calls_of(i.calls, "POST /videos")?, create_ms), create_ms),
        (
            "`POST /videos/{id}/complete`",
            route(&calls_of(i.calls, "POST /videos/{id}/complete")?, complete_ms),
            complete_ms,
        ),
        ("`POST /videos/{id}/poster`", route(&poster_calls, poster_ms), poster_ms),
        ("`POST /videos/{id}/poster/complete`", route(&confirm_calls, poster_ms), poster_ms),
    ];
    let s3_upload = Units { s3_puts: 2.0, ..Default::default() };
    let upload = upload_parts.iter().fold(s3_upload, |acc, (_, u, _)| acc.add(*u));

    // At rest: 1,000 videos of 50 MiB (GB-month priced per 2^30 bytes).
    let stored_gib = 1000.0 * VIDEO_GIB;
    let serverless_rest = stored_gib * S3_STORAGE.usd;
    let vm = EC2_T4G_SMALL.usd * HOURS_PER_MONTH;
    let vm_disk = (8.0 + stored_gib.ceil()) * EBS_GP3.usd;
    let db = RDS_T4G_MICRO.usd * HOURS_PER_MONTH;
    let db_disk = 20.0 * RDS_STORAGE.usd;
    let original = vm + vm_disk + db + db_disk;
    let per_play = play.total();
    let break_even = (original - serverless_rest) / per_play;
    let egress_per_play = VIDEO_GIB * EGRESS.usd;

    let mut section = Section::new(
        "7. Cost model",
        "what vidlet costs on AWS at list price, from the storage calls counted in item 1 and the handler times \
         measured here (item 3; the upload routes' times come from the bench's own setup, which drives them the \
         same in-process way), against the original design: one always-on VM plus MySQL.",
    );
    section.goal(format!(
        "none was set; the outcome: below about {:.1} million plays a month vidlet costs less than the VM design at list \
         price (data transfer out excluded, the same for both).",
        break_even / 1e6
    ));

    let mut prices = Table::new(&["item", "unit", "USD", "in force since"]);
    for p in PRICES {
        prices.row(p.row());
    }
    section.table(
        "List prices, us-east-1, taken from AWS's public price pages as I know them in early 2025: **not fetched \
         live** (this machine has no web access), so check them before relying on them. Each has been in force since \
         the date shown. Free tiers are ignored.",
        prices,
    );

    let mut per_route =
        Table::new(&["part", "handler p50 ms", "billed ms", "DynamoDB RRU", "DynamoDB WRU", "S3 GET", "S3 PUT"]);
    for (name, u, p50) in play_parts.iter().chain(upload_parts.iter()) {
        per_route.row(vec![
            (*name).into(),
            ms(*p50),
            format!("{:.0}", p50.ceil()),
            format!("{}", u.rru),
            format!("{}", u.wru),
            format!("{}", u.s3_gets),
            format!("{}", u.s3_puts),
        ]);
    }
    per_route.row(vec![
        "browser ↔ S3 per play (video ranged GETs + poster)".into(),
        "–".into(),
        "–".into(),
        "0".into(),
        "0".into(),
        format!("{}", s3_play.s3_gets),
        "0".into(),
    ]);
    per_route.row(vec![
        "browser → S3 per upload (video + poster PUT)".into(),
        "–".into(),
        "–".into(),
        "0".into(),
        "0".into(),
        "0".into(),
        "2".into(),
    ]);
    section.table("Billable units per request (calls from item 1; GetItem/Query = 1 RRU, single writes = 1 WRU, a two-item transaction = 4 WRU):", per_route);

    let mut per_1000 = Table::new(&["line", "per 1,000 plays", "per 1,000 uploads"]);
    for ((line, p), (_, u)) in play.lines().iter().zip(upload.lines().iter()) {
        per_1000.row(vec![(*line).into(), usd(p * 1000.0), usd(u * 1000.0)]);
    }
    per_1000.row(vec![
        "**total**".into(),
        format!("**{}**", usd(per_play * 1000.0)),
        format!("**{}**", usd(upload.total() * 1000.0)),
    ]);
    per_1000.row(vec![
        "data transfer out, stated separately (50 MiB watched per play)".into(),
        usd(egress_per_play * 1000.0),
        "$0 (ingress is free)".into(),
    ]);
    section
        .table("Per 1,000 plays (4 API calls + 3 S3 GETs) and per 1,000 uploads (3 API calls + 2 S3 PUTs):", per_1000);

    let mut rest = Table::new(&["per month, 1,000 videos of 50 MiB at rest", "vidlet", "original (VM + MySQL)"]);
    rest.row(vec!["compute".into(), "$0 (no traffic, no cost)".into(), format!("{} (t4g.small, 730 h)", usd(vm))]);
    rest.row(vec![
        "database".into(),
        "≈ $0 (DynamoDB storage: ~1 MB)".into(),
        format!("{} (db.t4g.micro) + {} (20 GB)", usd(db), usd(db_disk)),
    ]);
    rest.row(vec![
        "video storage".into(),
        format!("{} (S3, {stored_gib:.1} GiB)", usd(serverless_rest)),
        format!("{} (gp3, 8 GB root + {:.0} GB)", usd(vm_disk), stored_gib.ceil()),
    ]);
    rest.row(vec![
        "**total at rest**".into(),
        format!("**{}**", usd(serverless_rest)),
        format!("**{}**", usd(original)),
    ]);
    section.table("", rest);

    let mut months = Table::new(&["plays per month", "vidlet", "original", "cheaper"]);
    let mut levels = vec![10_000.0, 100_000.0, 1_000_000.0, break_even.round(), 10_000_000.0];
    levels.sort_by(f64::total_cmp);
    for plays in levels {
        let ours = serverless_rest + plays * per_play;
        months.row(vec![
            thousands(plays),
            usd(ours),
            usd(original),
            if (ours - original).abs() < 0.01 {
                "break-even".into()
            } else if ours < original {
                "vidlet".into()
            } else {
                "original".into()
            },
        ]);
    }
    section.table(
        &format!(
            "Monthly totals, with the 1,000 videos at rest (data transfer out excluded: {} per 1,000 fully watched plays for either design). Break-even: **{:.2} million plays a month**.",
            usd(egress_per_play * 1000.0),
            break_even / 1e6
        ),
        months,
    );
    let per_cold_start = (i.worst_init_ms.ceil() / 1000.0) * MEMORY_GB * LAMBDA_GB_S.usd;
    let cold_per_million_plays = per_cold_start * 4.0 * 0.01 * 1e6;
    section.note(format!(
        "A cold start bills its init once per new instance: the slowest function's init p50 here is {} ms, so at one \
         cold start in 100 invocations it adds {} per million plays to the {} above ({:.2}%).",
        ms(i.worst_init_ms),
        usd(cold_per_million_plays),
        usd(per_play * 1e6),
        cold_per_million_plays / (per_play * 1e6) * 100.0
    ));
    // On AWS each storage call takes milliseconds over the network: bill 10 ms per invocation.
    let slow = play_parts.iter().fold(s3_play, |acc, (_, u, _)| acc.add(Units { gb_seconds: 0.010 * MEMORY_GB, ..*u }));
    section.note(format!(
        "Compute is the smallest line: billed at 10 ms per invocation instead of the times measured here, a play would \
         cost {} per 1,000 instead of {}; the HTTP API's per-request price dominates.",
        usd(slow.total() * 1000.0),
        usd(per_play * 1000.0)
    ));
    section.note(format!(
        "Assumptions: handler times are this machine's against DynamoDB Local (AWS's DynamoDB answers in a few ms too); \
         a browser makes {VIDEO_GETS_PER_PLAY} ranged GETs to play a video through; reads under 4 KB and writes under \
         1 KB; the VM design is assumed to keep up with the break-even load (about {:.1} plays/s on average).",
        break_even / (HOURS_PER_MONTH * 3600.0)
    ));
    super::media_cost::add_to(&mut section);
    Ok(section)
}

/// 4156026.0 → "4,156,026".
fn thousands(value: f64) -> String {
    let digits = format!("{value:.0}");
    let mut out = String::new();
    for (n, c) in digits.chars().enumerate() {
        if n > 0 && (digits.len() - n) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
