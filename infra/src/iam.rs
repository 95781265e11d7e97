//! What template.yaml grants each function, as the same canonical access
//! strings the functions print with `--access`:
//!
//! - `dynamodb:GetItem table/users`
//! - `dynamodb:Query table/videos/index/by_owner`
//! - `s3:PutObject bucket/videos/*`
//! - `s3:ListBucket bucket`
//! - `mediaconvert:CreateJob transcoder` (one statement on the template's job template
//!   and the Default queue: a job names the one and runs on the other)
//! - `iam:PassRole role/mediaconvert` (a role of the template that MediaConvert assumes,
//!   with the condition `iam:PassedToService` mediaconvert.amazonaws.com)
//!
//! Only explicit `Allow` statements of exact actions on the template's own
//! tables, bucket, job template and roles are understood; anything else (a SAM
//! policy template, a `Deny`, a wildcard, a resource in another form, a PassRole
//! to any service) is an error, never skipped, so that a comparison with the code
//! cannot pass by overlooking a grant.

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
    let condition = map.get("Condition");
    if actions.iter().any(|(service, _)| service == "mediaconvert") {
        return create_job(&actions, &resources, condition);
    }
    if actions.iter().any(|(service, _)| service == "iam") {
        return pass_role(template, &actions, &resources, condition);
    }
    if let Some(condition) = condition {
        check_condition(condition, &actions)?;
    }
    let mut out = Vec::new();
    for (service, name) in &actions {
        for (kind, resource) in &resources {
            let expected = match kind {
                Kind::Table => "dynamodb",
                Kind::Bucket => "s3",
                _ => "",
            };
            if service != expected {
                return Err(format!(
                    "{service}:{name} on {resource}: a {service} action on another service's resource"
                )
                .into());
            }
            out.push(format!("{service}:{name} {resource}"));
        }
    }
    Ok(out)
}

/// `mediaconvert:CreateJob` on the job template and the queue together: `transcoder`.
fn create_job(actions: &[(String, String)], resources: &[(Kind, String)], condition: Option<&Value>) -> Grants {
    if actions.iter().any(|(service, name)| service != "mediaconvert" || name != "CreateJob") {
        return Err("mediaconvert:CreateJob is understood alone in its statement, no other action".into());
    }
    if condition.is_some() {
        return Err("a Condition on mediaconvert:CreateJob is not understood".into());
    }
    let templates = resources.iter().filter(|(kind, _)| *kind == Kind::JobTemplate).count();
    let queues = resources.iter().filter(|(kind, _)| *kind == Kind::Queue).count();
    if templates != 1 || queues != 1 || resources.len() != 2 {
        let named: Vec<&str> = resources.iter().map(|(_, name)| name.as_str()).collect();
        return Err(format!(
            "mediaconvert:CreateJob needs exactly the job template and the queue in one statement, not {named:?}"
        )
        .into());
    }
    Ok(vec!["mediaconvert:CreateJob transcoder".to_owned()])
}

/// `iam:PassRole` of roles the service assumes, only to that service: `role/<service>`.
fn pass_role(
    template: &Template,
    actions: &[(String, String)],
    resources: &[(Kind, String)],
    condition: Option<&Value>,
) -> Grants {
    if actions.iter().any(|(service, name)| service != "iam" || name != "PassRole") {
        return Err("iam:PassRole is understood alone in its statement, no other action".into());
    }
    let service = condition
        .and_then(passed_to_service)
        .ok_or("iam:PassRole needs exactly Condition: { StringEquals: { iam:PassedToService: <one service> } }")?;
    let short = service.strip_suffix(".amazonaws.com").filter(|s| !s.is_empty() && !s.contains(['*', '?', '.']));
    let short = short.ok_or_else(|| format!("iam:PassedToService {service} is not a service principal"))?;
    for (kind, name) in resources {
        let Kind::Role(id) = kind else {
            return Err(format!("iam:PassRole on {name}: only a role of the template can be passed").into());
        };
        if !trusted_services(template, id).contains(&service) {
            return Err(format!("iam:PassRole of {id} to {service}, which {id} does not trust").into());
        }
    }
    Ok(vec![format!("iam:PassRole role/{short}")])
}

/// The one service of `{ StringEquals: { iam:PassedToService: service } }`, or None.
fn passed_to_service(condition: &Value) -> Option<String> {
    let operators = condition.as_mapping()?;
    let keys = (operators.len() == 1).then(|| operators.get("StringEquals")).flatten()?.as_mapping()?;
    let value = (keys.len() == 1).then(|| keys.get("iam:PassedToService")).flatten()?;
    match value {
        Value::String(service) => Some(service.clone()),
        Value::Sequence(items) if items.len() == 1 => items[0].as_str().map(str::to_owned),
        _ => None,
    }
}

/// The service principals the role `id`'s trust policy lets assume it.
fn trusted_services(template: &Template, id: &str) -> Vec<String> {
    let Some((_, role)) = template.resources().find(|(name, _)| *name == id) else { return Vec::new() };
    let statements = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    let statements: Vec<&Value> = match statements {
        Value::Sequence(items) => items.iter().collect(),
        single => vec![single],
    };
    let mut services = Vec::new();
    for statement in statements {
        if statement["Effect"].as_str() != Some("Allow") {
            continue;
        }
        match &statement["Principal"]["Service"] {
            Value::String(service) => services.push(service.clone()),
            Value::Sequence(items) => services.extend(items.iter().filter_map(Value::as_str).map(str::to_owned)),
            _ => {}
        }
    }
    services
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
    if !matches!(service, "dynamodb" | "s3" | "mediaconvert" | "iam") {
        return Err(format!("action {text}: only dynamodb, s3, mediaconvert and iam actions are understood").into());
    }
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("action {text} is not service:Action").into());
    }
    Ok((service.to_owned(), name.to_owned()))
}

type Grants = Result<Vec<String>, Error>;

#[derive(Clone, PartialEq)]
enum Kind {
    Table,
    Bucket,
    JobTemplate,
    Queue,
    /// An `AWS::IAM::Role` of the template, by logical id.
    Role(String),
}

/// A resource as `table/<short>`, `table/<short>/index/<index>`, `bucket`, `bucket/<prefix>*`,
/// or a job template, queue or role (which their statements name as a whole).
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
        return match resource_type(template, id) {
            Some("AWS::MediaConvert::JobTemplate") => Ok((Kind::JobTemplate, format!("job template {id}"))),
            Some("AWS::MediaConvert::Queue") => Ok((Kind::Queue, format!("queue {id}"))),
            Some("AWS::IAM::Role") => Ok((Kind::Role(id.to_owned()), format!("role {id}"))),
            _ => Ok((Kind::Table, format!("table/{}", table(template, id)?))),
        };
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
    if text == "arn:${AWS::Partition}:mediaconvert:${AWS::Region}:${AWS::AccountId}:queues/Default" {
        return Ok((Kind::Queue, "queue Default".to_owned()));
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

/// A `Condition` only narrows a grant; besides iam:PassedToService on iam:PassRole
/// (required there), the one understood is `s3:prefix` on `s3:ListBucket`, which the
/// comparison ignores. Any other is an error.
fn check_condition(condition: &Value, actions: &[(String, String)]) -> Result<(), Error> {
    let only_list_bucket = actions.iter().all(|(service, name)| service == "s3" && name == "ListBucket");
    let operators = condition.as_mapping().ok_or("Condition is not a mapping")?;
    let only_prefix = operators
        .values()
        .all(|keys| keys.as_mapping().is_some_and(|keys| keys.keys().all(|k| k.as_str() == Some("s3:prefix"))));
    if only_list_bucket && only_prefix {
        Ok(())
    } else {
        Err("a Condition is understood only as s3:prefix on s3:ListBucket (or iam:PassedToService on iam:PassRole)"
            .into())
    }
}

/// A short description of a YAML value for error messages.
fn describe(value: &Value) -> String {
    serde_norway::to_string(value).map(|s| s.trim().replace('\n', " ")).unwrap_or_else(|_| format!("{value:?}"))
}

#[cfg(test)]
#[path = "iam_tests.rs"]
mod tests;
