//! Dev tooling for vidlet: local resources from template.yaml, the IAM grants it
//! gives each function, and generated route tables.

pub mod bootstrap;
pub mod dependencies;
pub mod iam;
pub mod routes;
pub mod template;

/// The repository root (this crate lives in `infra/`).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("infra/ has a parent").to_path_buf()
}
