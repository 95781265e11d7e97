//! What a function may do to storage, named as IAM names it. Each capability
//! adapter says what its calls need; `serve` prints a handler's list with
//! `--access`, and a test compares it with the function's policy in template.yaml.

use std::fmt;

use crate::config::Table;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resource {
    Table(Table),
    Index(Table, &'static str),
    /// Objects under a key prefix such as `videos/`.
    Objects(&'static str),
    /// The bucket itself (ListBucket).
    Bucket,
    /// The transcoder: MediaConvert's job template and queue.
    Transcoder,
    /// The role MediaConvert assumes to read originals and write renditions.
    TranscoderRole,
}

/// One IAM action on one resource, e.g. `dynamodb:GetItem table/sessions`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Access {
    pub action: &'static str,
    pub resource: Resource,
}

impl Access {
    pub const fn dynamodb(action: &'static str, table: Table) -> Self {
        Access { action, resource: Resource::Table(table) }
    }

    pub const fn index(table: Table, index: &'static str) -> Self {
        Access { action: "dynamodb:Query", resource: Resource::Index(table, index) }
    }

    pub const fn objects(action: &'static str, prefix: &'static str) -> Self {
        Access { action, resource: Resource::Objects(prefix) }
    }

    pub const fn bucket(action: &'static str) -> Self {
        Access { action, resource: Resource::Bucket }
    }

    pub const fn transcoder(action: &'static str) -> Self {
        Access { action, resource: Resource::Transcoder }
    }

    /// `iam:PassRole` of MediaConvert's role, to MediaConvert only.
    pub const fn pass_transcoder_role() -> Self {
        Access { action: "iam:PassRole", resource: Resource::TranscoderRole }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.resource {
            Resource::Table(table) => write!(f, "{} table/{}", self.action, table.name()),
            Resource::Index(table, index) => write!(f, "{} table/{}/index/{index}", self.action, table.name()),
            Resource::Objects(prefix) => write!(f, "{} bucket/{prefix}*", self.action),
            Resource::Bucket => write!(f, "{} bucket", self.action),
            Resource::Transcoder => write!(f, "{} transcoder", self.action),
            Resource::TranscoderRole => write!(f, "{} role/mediaconvert", self.action),
        }
    }
}

/// The sorted, de-duplicated access strings, as `--access` prints them.
pub fn describe(access: &[Access]) -> Vec<String> {
    let mut lines: Vec<String> = access.iter().map(ToString::to_string).collect();
    lines.sort();
    lines.dedup();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_reads_as_iam_names_it() {
        let access = [
            Access::dynamodb("dynamodb:GetItem", Table::LoginAttempts),
            Access::index(Table::Videos, "feed"),
            Access::objects("s3:PutObject", "videos/"),
            Access::bucket("s3:ListBucket"),
            Access::dynamodb("dynamodb:GetItem", Table::LoginAttempts),
        ];
        assert_eq!(
            describe(&access),
            [
                "dynamodb:GetItem table/login_attempts",
                "dynamodb:Query table/videos/index/feed",
                "s3:ListBucket bucket",
                "s3:PutObject bucket/videos/*",
            ]
        );
    }
}
