//! What template.yaml grants each function, as the same canonical access
//! strings the functions print with `--access`:
//!
//! - `dynamodb:GetItem table/users`
//! - `dynamodb:Query table/videos/index/by_owner`
//! - `s3:PutObject bucket/videos/*`
//! - `s3:ListBucket bucket`
//!
//! Only explicit `Allow` statements of exact actions on the template's own
//! tables and bucket are understood; anything else (a SAM policy template, a
//! `Deny`, a wildcard, a resource in another form) is an error, never skipped,
//! so that a comparison with the code cannot pass by overlooking a grant.

use std::collections::BTreeSet;

use serde_norway::Value;

use crate::template::{short_table_name, Error, Template};

/// The canonical access strings that `function`'s policies grant; `function`
/// is the `Metadata.BuildProperties.Binary` of an `AWS::Serverless::Function`.
pub fn granted_access(template: &Template, function: &str) -> Result<BTreeSet<String>, Error> {
    let (id, resource) = template.function(function)?;
    let props = &resource["Properties"];
    if !props["Role"].is_null() {
        return Err(format!("{id}: an explicit Role's grants are not in template.yaml; use Policies").into());
    }
    if !props["PermissionsBoundary"].is_null() {
        return Err(format!("{id}: PermissionsBoundary is not understood").into());
    }
    let mut granted = BTreeSet::new();
    let policies = match &props["Policies"] {
        Value::Null => return Ok(granted),
        Value::Sequence(items) => items.iter().collect::<Vec<_>>(),
        single @ Value::Mapping(_) => vec![single],
        other => return Err(format!("{id}: Policies is {}, not a list of policy documents", describe(other)).into()),
    };
    for (i, policy) in policies.into_iter().enumerate() {
        let at = format!("{id} Policies[{i}]");
        granted.extend(policy_document(template, policy).map_err(|e| format!("{at}: {e}"))?);
    }
    Ok(granted)
}

/// One entry of `Policies`: an inline policy document, `{ Statement: [...] }`.
fn policy_document(template: &Template, policy: &Value) -> Result<Vec<String>, Error> {
    let map = match policy {
        Value::Mapping(map) => map,
        Value::String(name) => {
            return Err(format!("managed policy {name} is not understood; write explicit statements").into())
        }
        other => return Err(format!("{} is not a policy document", describe(other)).into()),
    };
    for key in map.keys() {
        match key.as_str() {
            Some("Statement") | Some("Version") => {}
            Some(name) if name.ends_with("Policy") => {
                return Err(
                    format!("SAM policy template {name} grants more than it names; write explicit statements").into()
                )
            }
            Some(name) => return Err(format!("{name} is not understood in a policy document").into()),
            None => return Err(format!("{} is not a policy document key", describe(key)).into()),
        }
    }
    let statements = match &map["Statement"] {
        Value::Sequence(items) => items.iter().collect::<Vec<_>>(),
        single @ Value::Mapping(_) => vec![single],
        Value::Null => return Err("the policy document has no Statement".into()),
        other => return Err(format!("Statement is {}", describe(other)).into()),
    };
    let mut out = Vec::new();
    for (i, statement) in statements.into_iter().enumerate() {
        out.extend(statement_access(template, statement).map_err(|e| format!("Statement[{i}]: {e}"))?);
    }
    Ok(out)
}

fn statement_access(template: &Template, statement: &Value) -> Result<Vec<String>, Error> {
    let map = statement.as_mapping().ok_or_else(|| format!("{} is not a statement", describe(statement)))?;
    for key in map.keys() {
        match key.as_str() {
            Some("Effect" | "Action" | "Resource" | "Condition" | "Sid") => {}
            Some(other) => return Err(format!("{other} is not understood in a statement").into()),
            None => return Err(format!("{} is not a statement key", describe(key)).into()),
        }
    }
    match map.get("Effect").and_then(Value::as_str) {
        Some("Allow") => {}
        Some(effect) => return Err(format!("Effect {effect} is not understood; only Allow is").into()),
        None => return Err("the statement has no Effect".into()),
    }
    let actions = one_or_many(map.get("Action"), "Action")?.into_iter().map(action).collect::<Result<Vec<_>, _>>()?;
    let resources = one_or_many(map.get("Resource"), "Resource")?
        .into_iter()
        .map(|r| resource(template, r))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(condition) = map.get("Condition") {
        check_condition(condition, &actions)?;
    }
    let mut out = Vec::new();
    for (service, name) in &actions {
        for (kind, resource) in &resources {
            let expected = match *kind {
                Kind::Table => "dynamodb",
                Kind::Bucket => "s3",
            };
            if service != expected {
                return Err(
                    format!("{service}:{name} on {resource}: a {service} action on a {expected} resource").into()
                );
            }
            out.push(format!("{service}:{name} {resource}"));
        }
    }
    Ok(out)
}

/// A scalar or a non-empty list of them.
fn one_or_many<'a>(value: Option<&'a Value>, what: &str) -> Result<Vec<&'a Value>, Error> {
    match value {
        None | Some(Value::Null) => Err(format!("the statement has no {what}").into()),
        Some(Value::Sequence(items)) if items.is_empty() => Err(format!("{what} is an empty list").into()),
        Some(Value::Sequence(items)) => Ok(items.iter().collect()),
        Some(single) => Ok(vec![single]),
    }
}

/// `dynamodb:GetItem` → `("dynamodb", "GetItem")`; no wildcards.
fn action(value: &Value) -> Result<(String, String), Error> {
    let text = value.as_str().ok_or_else(|| format!("action {} is not a string", describe(value)))?;
    if text.contains(['*', '?']) {
        return Err(format!("wildcard action {text} grants more than the code names; list each action").into());
    }
    let (service, name) = text.split_once(':').ok_or_else(|| format!("action {text} is not service:Action"))?;
    if !matches!(service, "dynamodb" | "s3") {
        return Err(format!("action {text}: only dynamodb and s3 actions are understood").into());
    }
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("action {text} is not service:Action").into());
    }
    Ok((service.to_owned(), name.to_owned()))
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Table,
    Bucket,
}

/// A resource as `table/<short>`, `table/<short>/index/<index>`, `bucket` or `bucket/<prefix>*`.
fn resource(template: &Template, value: &Value) -> Result<(Kind, String), Error> {
    let Value::Tagged(tagged) = value else {
        return Err(format!(
            "resource {} is not understood; use !GetAtt or !Sub on the template's resources",
            describe(value)
        )
        .into());
    };
    if tagged.tag == "GetAtt" {
        // `!GetAtt XTable.Arn` or `!GetAtt [XTable, Arn]`.
        let (id, attribute) = match &tagged.value {
            Value::String(s) => s.split_once('.').ok_or_else(|| format!("!GetAtt {s} is not Resource.Attribute"))?,
            Value::Sequence(parts) => match parts.as_slice() {
                [Value::String(id), Value::String(attribute)] => (id.as_str(), attribute.as_str()),
                _ => return Err(format!("!GetAtt {} is not [Resource, Attribute]", describe(&tagged.value)).into()),
            },
            other => return Err(format!("!GetAtt {} is not understood", describe(other)).into()),
        };
        if attribute != "Arn" {
            return Err(format!("!GetAtt {id}.{attribute}: only Arn names a resource").into());
        }
        return Ok((Kind::Table, format!("table/{}", table(template, id)?)));
    }
    if tagged.tag == "Sub" {
        let text = tagged
            .value
            .as_str()
            .ok_or_else(|| format!("!Sub {} is not understood; use the string form", describe(&tagged.value)))?;
        return sub_resource(template, text);
    }
    Err(format!("resource {} {} is not understood", tagged.tag, describe(&tagged.value)).into())
}

fn sub_resource(template: &Template, text: &str) -> Result<(Kind, String), Error> {
    let unknown = || -> Error { format!("resource !Sub {text:?} is not understood").into() };
    // `${XTable.Arn}` or `${XTable.Arn}/index/NAME`.
    if let Some(rest) = text.strip_prefix("${") {
        let (reference, tail) = rest.split_once('}').ok_or_else(unknown)?;
        let id = reference.strip_suffix(".Arn").ok_or_else(unknown)?;
        let short = table(template, id)?;
        if tail.is_empty() {
            return Ok((Kind::Table, format!("table/{short}")));
        }
        let index = tail.strip_prefix("/index/").ok_or_else(unknown)?;
        let def = template.tables()?.into_iter().find(|t| t.logical_id == id).ok_or_else(unknown)?;
        if !def.indexes.iter().any(|i| i.name == index) {
            return Err(format!("resource !Sub {text:?}: {id} has no index {index:?}").into());
        }
        return Ok((Kind::Table, format!("table/{short}/index/{index}")));
    }
    // `arn:${AWS::Partition}:s3:::${Bucket}` or `...${Bucket}/PREFIX*`.
    let rest = text.strip_prefix("arn:${AWS::Partition}:s3:::${").ok_or_else(unknown)?;
    let (id, tail) = rest.split_once('}').ok_or_else(unknown)?;
    if resource_type(template, id) != Some("AWS::S3::Bucket") {
        return Err(format!("resource !Sub {text:?}: {id} is not an AWS::S3::Bucket of the template").into());
    }
    if tail.is_empty() {
        return Ok((Kind::Bucket, "bucket".to_owned()));
    }
    let prefix = tail.strip_prefix('/').and_then(|t| t.strip_suffix('*')).ok_or_else(unknown)?;
    if prefix.contains(['*', '?', '$']) {
        return Err(unknown());
    }
    Ok((Kind::Bucket, format!("bucket/{prefix}*")))
}

/// The short name of the table whose logical id is `id`.
fn table(template: &Template, id: &str) -> Result<String, Error> {
    match resource_type(template, id) {
        Some("AWS::DynamoDB::Table") => Ok(short_table_name(id)),
        Some(other) => Err(format!("{id} is an {other}, not an AWS::DynamoDB::Table").into()),
        None => Err(format!("{id} is not a resource of the template").into()),
    }
}

fn resource_type<'a>(template: &'a Template, id: &str) -> Option<&'a str> {
    template.resources().find(|(name, _)| *name == id).and_then(|(_, r)| r["Type"].as_str())
}

/// A `Condition` only narrows a grant; the one understood is `s3:prefix` on
/// `s3:ListBucket`, which the comparison ignores. Any other is an error.
fn check_condition(condition: &Value, actions: &[(String, String)]) -> Result<(), Error> {
    let only_list_bucket = actions.iter().all(|(service, name)| service == "s3" && name == "ListBucket");
    let operators = condition.as_mapping().ok_or("Condition is not a mapping")?;
    let only_prefix = operators
        .values()
        .all(|keys| keys.as_mapping().is_some_and(|keys| keys.keys().all(|k| k.as_str() == Some("s3:prefix"))));
    if only_list_bucket && only_prefix {
        Ok(())
    } else {
        Err("a Condition is understood only as s3:prefix on s3:ListBucket".into())
    }
}

/// A short description of a YAML value for error messages.
fn describe(value: &Value) -> String {
    serde_norway::to_string(value).map(|s| s.trim().replace('\n', " ")).unwrap_or_else(|_| format!("{value:?}"))
}

#[cfg(test)]
#[path = "iam_tests.rs"]
mod tests;
