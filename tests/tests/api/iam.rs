//! IAM: what each function's code uses (its binary's `--access`) against what
//! template.yaml grants it (`infra::iam::granted_access`). A use the template
//! does not grant is AccessDenied on AWS, where the local stack checks nothing;
//! a grant the code does not use breaks least privilege. (`Tracing: Active` makes SAM
//! attach its managed `AWSXrayWriteOnlyAccess` to every role: Lambda's own tracing, not
//! the code's, so it is not among the statements compared here; hardening.rs checks it.)

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use infra::iam::granted_access;
use infra::template::Template;
use vidlet_tests::template;

/// How long a binary may take to print its access list.
const ACCESS_TIMEOUT: Duration = Duration::from_secs(10);

/// Where `cargo build --workspace` put the functions' binaries: beside this
/// test's own `deps/` folder (so CARGO_TARGET_DIR and `build.target-dir` are
/// honoured), else `${CARGO_TARGET_DIR:-<repo>/target}/debug`.
fn binary_dir() -> PathBuf {
    if let Some(deps) = std::env::current_exe().ok().as_deref().and_then(Path::parent) {
        if deps.file_name().is_some_and(|name| name == "deps") {
            if let Some(profile) = deps.parent() {
                return profile.to_path_buf();
            }
        }
    }
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if Path::new(&dir).is_absolute() => PathBuf::from(dir),
        Some(dir) => infra::repo_root().join(dir),
        None => infra::repo_root().join("target"),
    };
    target.join("debug")
}

fn function_folders() -> Vec<String> {
    let mut folders: Vec<String> = std::fs::read_dir(infra::repo_root().join("functions"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    folders
}

/// Runs `<binary> --access` offline and parses the JSON array of access strings it prints.
fn used_access(binary: &Path) -> Result<BTreeSet<String>, String> {
    let mut child = Command::new(binary)
        .arg("--access")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run {}: {e}", binary.display()))?;
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).map(|_| buf)
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        stderr.read_to_end(&mut buf).map(|_| buf)
    });
    let deadline = Instant::now() + ACCESS_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("`{} --access` did not exit within {ACCESS_TIMEOUT:?}", binary.display()));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out.join().unwrap().map_err(|e| e.to_string())?;
    let stderr = err.join().unwrap().map_err(|e| e.to_string())?;
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let stderr: String = stderr.trim().chars().take(600).collect();
        return Err(format!("`{} --access` exited with {status}: {stderr}", binary.display()));
    }
    let list: Vec<String> = serde_json::from_slice(&stdout).map_err(|e| {
        let stdout: String = String::from_utf8_lossy(&stdout).trim().chars().take(600).collect();
        format!("`{} --access` printed no JSON array of strings ({e}): {stdout}", binary.display())
    })?;
    Ok(list.into_iter().collect())
}

/// What differs between what the code `used` and what the template `granted`, if anything.
fn differences(function: &str, used: &BTreeSet<String>, granted: &BTreeSet<String>) -> Option<String> {
    let denied: Vec<&String> = used.difference(granted).collect();
    let unused: Vec<&String> = granted.difference(used).collect();
    if denied.is_empty() && unused.is_empty() {
        return None;
    }
    let mut report = format!("  {function}:\n");
    if !denied.is_empty() {
        report += "    used by the code, not granted by template.yaml (would be AccessDenied on AWS):\n";
        for access in denied {
            report += &format!("      {access}\n");
        }
    }
    if !unused.is_empty() {
        report += "    granted by template.yaml, not used by the code (least privilege: remove the grant):\n";
        for access in unused {
            report += &format!("      {access}\n");
        }
    }
    Some(report)
}

#[test]
fn every_function_is_granted_exactly_what_its_code_uses() {
    let dir = binary_dir();
    let folders = function_folders();
    assert!(!folders.is_empty(), "no folders in functions/");
    let mut missing = Vec::new();
    let mut problems = Vec::new();
    for function in &folders {
        let binary = dir.join(format!("{function}{}", std::env::consts::EXE_SUFFIX));
        if !binary.is_file() {
            missing.push(binary.display().to_string());
            continue;
        }
        let granted = match granted_access(template(), function) {
            Ok(granted) => granted,
            Err(e) => {
                problems.push(format!("  {function}: template.yaml: {e}\n"));
                continue;
            }
        };
        match used_access(&binary) {
            Ok(used) => problems.extend(differences(function, &used, &granted)),
            Err(e) => problems.push(format!("  {function}: {e}\n")),
        }
    }
    assert!(
        missing.is_empty(),
        "the functions' binaries are not built; run `cargo build --workspace` first (make test does). Missing:\n  {}",
        missing.join("\n  ")
    );
    assert!(problems.is_empty(), "template.yaml's IAM differs from what the code uses:\n{}", problems.concat());
}

/// The check above can fail: drop complete-video's s3:ListBucket statement (and
/// add a grant it does not use) in a copy of the template, and both show.
#[test]
fn the_comparison_catches_a_missing_and_an_extra_grant() {
    let original = template();
    let used = granted_access(original, "complete-video").unwrap();
    assert!(used.contains("s3:ListBucket bucket"), "{used:?}");
    assert_eq!(differences("complete-video", &used, &used), None);

    let (id, _) = original.function("complete-video").unwrap();
    let mut root = original.root.clone();
    let policies = root["Resources"][id]["Properties"]["Policies"].as_sequence_mut().unwrap();
    let mut removed = 0;
    for policy in policies.iter_mut() {
        let statements = policy["Statement"].as_sequence_mut().unwrap();
        let before = statements.len();
        statements.retain(|statement| {
            let action = &statement["Action"];
            let names: Vec<&str> = match action.as_sequence() {
                Some(list) => list.iter().filter_map(|a| a.as_str()).collect(),
                None => action.as_str().into_iter().collect(),
            };
            !names.contains(&"s3:ListBucket")
        });
        removed += before - statements.len();
    }
    assert_eq!(removed, 1, "complete-video has one s3:ListBucket statement");
    let extra: serde_norway::Value =
        serde_norway::from_str("{ Effect: Allow, Action: [dynamodb:Scan], Resource: !GetAtt VideosTable.Arn }")
            .unwrap();
    policies[0]["Statement"].as_sequence_mut().unwrap().push(extra);

    let changed = Template { root };
    let granted = granted_access(&changed, "complete-video").unwrap();
    assert!(!granted.contains("s3:ListBucket bucket"), "{granted:?}");
    let report = differences("complete-video", &used, &granted).expect("the comparison fails");
    let (denied, unused) = report.split_once("least privilege").unwrap();
    assert!(denied.contains("AccessDenied") && denied.contains("s3:ListBucket bucket"), "{report}");
    assert!(unused.contains("dynamodb:Scan table/videos"), "{report}");
}
