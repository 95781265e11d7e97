//! Capabilities: the narrow things a handler asks of storage, one trait each.
//! A handler names the ones it uses; `main` hands it the adapters. Each trait
//! says, through `access`, which IAM actions its calls need.

pub mod accounts;
pub mod follows;
pub mod likes;
pub mod objects;
pub mod playback;
pub mod search;
pub mod transcode;
pub mod videos;

pub use accounts::*;
pub use follows::*;
pub use likes::*;
pub use objects::*;
pub use playback::*;
pub use search::*;
pub use transcode::*;
pub use videos::*;

/// What a conditional write on someone's item found.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    NotFound,
    Forbidden,
}
