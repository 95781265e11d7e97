//! One source of truth for routes: `vidlet::routes::ROUTES`. The watch router
//! is generated from it (`make routes`); this checks template.yaml, the
//! function folders and the README's route table against it.

use std::collections::BTreeSet;

use vidlet::routes::{served, Auth, FALLBACK_FUNCTION, ROUTES};
use vidlet_tests::template;

/// Functions that no HTTP route names: the fallback, and the ones events invoke.
const NON_ROUTE_FUNCTIONS: &[&str] = &[FALLBACK_FUNCTION, "sweep", "transcode-events"];

type RouteKey = (String, String, String);

fn routes_in_code() -> BTreeSet<RouteKey> {
    ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned(), r.function.to_owned())).collect()
}

/// The routes with HEAD beside each GET: what the template and openapi.yaml must route.
fn served_routes() -> BTreeSet<RouteKey> {
    served().map(|(method, r)| (method.to_owned(), r.path.to_owned(), r.function.to_owned())).collect()
}

#[test]
fn template_events_match_the_route_table() {
    let mut in_template = BTreeSet::new();
    for (id, resource) in template().resources() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} has no Metadata.BuildProperties.Binary"))
            .to_owned();
        for (_, event) in resource["Properties"]["Events"].as_mapping().into_iter().flatten() {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            match (event["Properties"]["Method"].as_str(), event["Properties"]["Path"].as_str()) {
                (Some(method), Some(path)) => {
                    in_template.insert((method.to_uppercase(), path.to_owned(), binary.clone()));
                }
                (None, None) => assert_eq!(binary, FALLBACK_FUNCTION, "{id}: only the fallback takes $default"),
                _ => panic!("{id}: an HttpApi event needs both Method and Path"),
            }
        }
    }
    let in_code = served_routes();
    let missing: Vec<_> = in_code.difference(&in_template).collect();
    let extra: Vec<_> = in_template.difference(&in_code).collect();
    assert!(missing.is_empty() && extra.is_empty(), "template.yaml lacks {missing:?}; has unknown {extra:?}");
}

#[test]
fn every_function_folder_has_a_route_and_every_route_a_folder() {
    let folders: BTreeSet<String> = std::fs::read_dir(infra::repo_root().join("functions"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let routed: BTreeSet<String> = ROUTES.iter().map(|r| r.function.to_owned()).collect();
    for function in &routed {
        assert!(folders.contains(function), "route function {function} has no functions/{function}");
    }
    for folder in &folders {
        assert!(
            routed.contains(folder) || NON_ROUTE_FUNCTIONS.contains(&folder.as_str()),
            "functions/{folder} serves no route"
        );
    }
}

#[test]
fn the_readme_route_table_matches() {
    let readme = std::fs::read_to_string(infra::repo_root().join("README.md")).unwrap();
    let mut in_readme = BTreeSet::new();
    let mut auth_of = std::collections::BTreeMap::new();
    for line in readme.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(|c| c.trim().trim_matches('`')).collect();
        if cells.len() >= 4 && cells[1].starts_with('/') && cells[0].chars().all(|c| c.is_ascii_uppercase()) {
            let key = (cells[0].to_owned(), cells[1].to_owned(), cells[2].to_owned());
            auth_of.insert(key.clone(), cells[3].to_owned());
            in_readme.insert(key);
        }
    }
    let in_code = routes_in_code();
    let missing: Vec<_> = in_code.difference(&in_readme).collect();
    let extra: Vec<_> = in_readme.difference(&in_code).collect();
    assert!(missing.is_empty() && extra.is_empty(), "README lacks {missing:?}; has unknown {extra:?}");
    for route in ROUTES {
        let want = match route.auth {
            Auth::None => "none",
            Auth::Session => "session",
            Auth::OptionalSession => "optional",
        };
        let key = (route.method.to_owned(), route.path.to_owned(), route.function.to_owned());
        assert_eq!(auth_of[&key], want, "README auth column for {} {}", route.method, route.path);
    }
}

#[test]
fn the_watch_router_is_generated_from_the_route_table() {
    let cargo_toml = std::fs::read_to_string(infra::repo_root().join("Cargo.toml")).unwrap();
    let regenerated = infra::routes::with_generated_router(&cargo_toml).unwrap();
    assert!(regenerated == cargo_toml, "Cargo.toml's watch router is stale: run `make routes`");
}

#[test]
fn every_table_the_app_uses_is_in_the_template() {
    let in_template: BTreeSet<String> = template().tables().unwrap().iter().map(|t| t.short_name()).collect();
    let in_code: BTreeSet<String> = vidlet::config::Table::ALL.iter().map(|t| t.name().to_owned()).collect();
    assert_eq!(in_template, in_code);
}

/// The files under `dir`, as paths relative to `web/`, but READMEs (they are not served).
fn web_files(dir: &std::path::Path, prefix: &str, files: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            web_files(&entry.path(), &format!("{name}/"), files);
        } else if !name.ends_with("README.md") {
            files.insert(name);
        }
    }
}

#[test]
fn every_file_of_web_is_embedded() {
    let mut files = BTreeSet::new();
    web_files(&infra::repo_root().join("web"), "", &mut files);
    let embedded: BTreeSet<String> = vidlet::handlers::web::ASSETS.iter().map(|a| a.path.to_owned()).collect();
    assert_eq!(files, embedded, "list every file of web/ in vidlet::handlers::web::ASSETS");
    assert!(files.contains("vendor/hls.min.js"), "the walk reaches web/vendor/");
}

/// The deploy settings issue 4/6 asks of template.yaml, checked offline.
#[test]
fn the_template_is_deployable_as_documented() {
    let root = &template().root;
    let globals = &root["Globals"]["Function"];
    assert_eq!(globals["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(globals["Architectures"][0].as_str(), Some("arm64"));
    assert_eq!(globals["Handler"].as_str(), Some("bootstrap"));
    assert_eq!(globals["LoggingConfig"]["LogFormat"].as_str(), Some("JSON"));
    for table in vidlet::config::Table::ALL {
        let value = &globals["Environment"]["Variables"][table.env_var().as_str()];
        assert!(matches!(value, serde_norway::Value::Tagged(_)), "Globals lacks {}", table.env_var());
    }
    for param in [
        "MaxUploadBytes",
        "SessionTtlSeconds",
        "UploadUrlTtlSeconds",
        "StreamUrlTtlSeconds",
        "SiteOrigin",
        "ThrottlingBurstLimit",
        "ThrottlingRateLimit",
    ] {
        assert!(!root["Parameters"][param].is_null(), "parameter {param} missing");
    }
    let resources: std::collections::BTreeMap<&str, &serde_norway::Value> = template().resources().collect();
    for (id, resource) in &resources {
        match resource["Type"].as_str().unwrap() {
            "AWS::Serverless::Function" => {
                assert_eq!(resource["Metadata"]["BuildMethod"].as_str(), Some("rust-cargolambda"), "{id}");
                let group = match &resource["Properties"]["LoggingConfig"]["LogGroup"] {
                    serde_norway::Value::Tagged(tagged) => tagged.value.as_str().unwrap().to_owned(),
                    _ => panic!("{id} has no log group of its own"),
                };
                assert!(
                    !resources[group.as_str()]["Properties"]["RetentionInDays"].is_null(),
                    "{group} has no retention"
                );
                // The API's throttling bounds the rate; a reserved cap only failed real pages (README).
                let reserved = &resource["Properties"]["ReservedConcurrentExecutions"];
                assert!(reserved.is_null(), "{id} reserves concurrency");
            }
            "AWS::DynamoDB::Table" => {
                let props = &resource["Properties"];
                assert_eq!(props["BillingMode"].as_str(), Some("PAY_PER_REQUEST"), "{id}");
                assert_eq!(
                    props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
                    Some(true),
                    "{id}"
                );
            }
            _ => {}
        }
    }
    for id in ["SessionsTable", "LoginAttemptsTable", "ViewMarksTable"] {
        assert_eq!(resources[id]["Properties"]["TimeToLiveSpecification"]["Enabled"].as_bool(), Some(true), "{id} TTL");
    }
    for id in ["UsersTable", "VideosTable", "CommentsTable", "DeletionsTable", "VideoBucket"] {
        assert_eq!(resources[id]["DeletionPolicy"].as_str(), Some("Retain"), "{id} keeps user data");
    }
    let bucket = &resources["VideoBucket"]["Properties"];
    assert_eq!(bucket["PublicAccessBlockConfiguration"]["BlockPublicPolicy"].as_bool(), Some(true));
    assert!(!bucket["BucketEncryption"].is_null());
    assert_eq!(
        bucket["LifecycleConfiguration"]["Rules"][0]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"].as_i64(),
        Some(1)
    );
    let schedule = &resources["SweepFunction"]["Properties"]["Events"]["EveryMinute"];
    assert_eq!(schedule["Type"].as_str(), Some("ScheduleV2"));
    assert_eq!(schedule["Properties"]["ScheduleExpression"].as_str(), Some("rate(1 minute)"));
    assert!(!schedule["Properties"]["DeadLetterConfig"].is_null() || !schedule["Properties"]["RetryPolicy"].is_null());
}

/// Least privilege beyond matching the code (iam.rs checks that): a function
/// that serves only GET routes is granted only reads (a stream counts no view;
/// the page reports one), but for keeping its caller's session alive; and only
/// the functions that presign, run a multipart upload or sweep touch S3.
#[test]
fn read_routes_are_granted_only_reads_and_only_presigners_touch_s3() {
    let s3_users = [
        "create-video",
        "upload-parts",
        "get-upload",
        "complete-video",
        "get-video",
        "stream-video",
        "create-poster",
        "complete-poster",
        "get-poster",
        "get-playback",
        "get-playlist",
        "sweep",
    ];
    // Anything else, including actions not listed here, counts as a write.
    let reads = [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:ConditionCheckItem",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:ListMultipartUploadParts",
    ];
    for (id, resource) in template().resources() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        let granted = infra::iam::granted_access(template(), binary).unwrap_or_else(|e| panic!("{id}: {e}"));
        let touches_s3 = granted.iter().any(|access| access.starts_with("s3:"));
        assert_eq!(touches_s3, s3_users.contains(&binary), "{id}: S3 access {granted:?}");
        let mut routes = ROUTES.iter().filter(|r| r.function == binary).peekable();
        let has_routes = routes.peek().is_some();
        if has_routes && routes.all(|r| r.method == "GET") {
            let session_extension = "dynamodb:UpdateItem table/sessions";
            let writes: Vec<&String> = granted
                .iter()
                .filter(|access| *access != session_extension)
                .filter(|access| !reads.contains(&access.split(' ').next().unwrap()))
                .collect();
            assert!(writes.is_empty(), "{id} serves only GET routes, yet is granted writes {writes:?}");
        }
    }
}

#[test]
fn openapi_describes_every_route_and_nothing_else() {
    let text = std::fs::read_to_string(infra::repo_root().join("openapi.yaml")).unwrap();
    let spec: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut in_spec = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().unwrap() {
        for (method, operation) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if !["get", "put", "post", "delete", "patch", "head", "options"].contains(&method) {
                continue;
            }
            let function = operation["x-function"].as_str().or(operation["operationId"].as_str()).unwrap();
            in_spec.insert((method.to_uppercase(), path.as_str().unwrap().to_owned(), function.to_owned()));
            let responses = operation["responses"].as_mapping().unwrap();
            assert!(!responses.is_empty(), "{method} {path:?} documents no response");
        }
    }
    let in_code = served_routes();
    let missing: Vec<_> = in_code.difference(&in_spec).collect();
    let extra: Vec<_> = in_spec.difference(&in_code).collect();
    assert!(missing.is_empty() && extra.is_empty(), "openapi.yaml lacks {missing:?}; has unknown {extra:?}");
    assert!(!spec["components"]["securitySchemes"]["bearerAuth"].is_null(), "the auth scheme is documented");
}
