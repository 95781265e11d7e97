//! One source of truth for routes: `vidlet::routes::ROUTES`. The watch router
//! is generated from it (`make routes`); this checks template.yaml, the
//! function folders and the README's route table against it.

use std::collections::BTreeSet;

use vidlet::routes::{Auth, FALLBACK_FUNCTION, ROUTES};
use vidlet_tests::template;

/// Functions that no HTTP route names: the fallback, and scheduled ones.
const NON_ROUTE_FUNCTIONS: &[&str] = &[FALLBACK_FUNCTION, "sweep"];

type RouteKey = (String, String, String);

fn routes_in_code() -> BTreeSet<RouteKey> {
    ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned(), r.function.to_owned())).collect()
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
    let in_code = routes_in_code();
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

#[test]
fn every_file_of_web_is_embedded() {
    let files: BTreeSet<String> = std::fs::read_dir(infra::repo_root().join("web"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let embedded: BTreeSet<String> = vidlet::handlers::web::ASSETS.iter().map(|a| a.name.to_owned()).collect();
    assert_eq!(files, embedded, "list every file of web/ in vidlet::handlers::web::ASSETS");
}
