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
mod tests {
    use super::*;

    /// A template with the tables and the bucket the real one has, and one
    /// function, `f`, whose `Policies:` is `policies` (YAML at the indent of `Policies:`'s value).
    fn template_with(policies: &str) -> Template {
        let text = format!(
            r#"
Resources:
  UsersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{{ AttributeName: username, AttributeType: S }}]
      KeySchema: [{{ AttributeName: username, KeyType: HASH }}]
  LoginAttemptsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{{ AttributeName: username, AttributeType: S }}]
      KeySchema: [{{ AttributeName: username, KeyType: HASH }}]
  VideosTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{{ AttributeName: id, AttributeType: S }}, {{ AttributeName: owner_key, AttributeType: S }}]
      KeySchema: [{{ AttributeName: id, KeyType: HASH }}]
      GlobalSecondaryIndexes:
        - IndexName: by_owner
          KeySchema: [{{ AttributeName: owner_key, KeyType: HASH }}]
          Projection: {{ ProjectionType: ALL }}
  VideoBucket:
    Type: AWS::S3::Bucket
  SomeLogGroup:
    Type: AWS::Logs::LogGroup
  Function:
    Type: AWS::Serverless::Function
    Metadata: {{ BuildMethod: rust-cargolambda, BuildProperties: {{ Binary: f }} }}
    Properties:
      CodeUri: .
      Policies:
{policies}
"#
        );
        Template { root: serde_norway::from_str(&text).expect("test template parses") }
    }

    fn granted(policies: &str) -> Result<Vec<String>, Error> {
        granted_access(&template_with(policies), "f").map(|set| set.into_iter().collect())
    }

    fn error(policies: &str) -> String {
        match granted(policies) {
            Ok(set) => panic!("expected an error, got {set:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn explicit_statements_resolve_to_canonical_strings() {
        let got = granted(
            r#"
        - Statement:
            - { Effect: Allow, Action: [dynamodb:GetItem], Resource: !GetAtt UsersTable.Arn }
            - { Effect: Allow, Action: dynamodb:PutItem, Resource: !GetAtt [LoginAttemptsTable, Arn] }
            - { Effect: Allow, Action: [dynamodb:Query], Resource: !Sub "${VideosTable.Arn}/index/by_owner" }
            - { Effect: Allow, Action: [s3:PutObject], Resource: !Sub "arn:${AWS::Partition}:s3:::${VideoBucket}/videos/*" }
            - { Effect: Allow, Action: [s3:ListBucket], Resource: !Sub "arn:${AWS::Partition}:s3:::${VideoBucket}" }
            - Effect: Allow
              Action: dynamodb:DeleteItem
              Resource: !Sub "${VideosTable.Arn}"
"#,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                "dynamodb:DeleteItem table/videos",
                "dynamodb:GetItem table/users",
                "dynamodb:PutItem table/login_attempts",
                "dynamodb:Query table/videos/index/by_owner",
                "s3:ListBucket bucket",
                "s3:PutObject bucket/videos/*",
            ]
        );
    }

    #[test]
    fn several_actions_times_several_resources_expand() {
        let got = granted(
            r#"
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:UpdateItem]
              Resource: [!GetAtt UsersTable.Arn, !GetAtt VideosTable.Arn]
            - Effect: Allow
              Action: s3:DeleteObject
              Resource:
                - !Sub "arn:${AWS::Partition}:s3:::${VideoBucket}/videos/*"
                - !Sub "arn:${AWS::Partition}:s3:::${VideoBucket}/posters/*"
        - Statement: { Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt UsersTable.Arn }
"#,
        )
        .unwrap();
        assert_eq!(
            got,
            [
                "dynamodb:GetItem table/users",
                "dynamodb:GetItem table/videos",
                "dynamodb:UpdateItem table/users",
                "dynamodb:UpdateItem table/videos",
                "s3:DeleteObject bucket/posters/*",
                "s3:DeleteObject bucket/videos/*",
            ]
        );
    }

    #[test]
    fn no_policies_grant_nothing() {
        assert_eq!(granted("        null").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn a_prefix_condition_on_list_bucket_is_ignored() {
        let got = granted(
            r#"
        - Statement:
            - Effect: Allow
              Action: s3:ListBucket
              Resource: !Sub "arn:${AWS::Partition}:s3:::${VideoBucket}"
              Condition: { StringLike: { "s3:prefix": ["videos/*"] } }
"#,
        )
        .unwrap();
        assert_eq!(got, ["s3:ListBucket bucket"]);
    }

    #[test]
    fn any_other_condition_is_an_error() {
        let e = error(
            r#"
        - Statement:
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource: !GetAtt UsersTable.Arn
              Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["x"] } }
"#,
        );
        assert!(e.contains("Condition"), "{e}");
    }

    #[test]
    fn sam_policy_templates_are_errors() {
        for template in ["DynamoDBReadPolicy", "DynamoDBCrudPolicy", "S3ReadPolicy"] {
            let e = error(&format!("        - {template}: {{ TableName: !Ref UsersTable }}"));
            assert!(e.contains(template) && e.contains("SAM policy template"), "{e}");
        }
        // Mixed with explicit statements, still an error.
        let e = error(
            r#"
        - Statement: [{ Effect: Allow, Action: [dynamodb:GetItem], Resource: !GetAtt UsersTable.Arn }]
        - DynamoDBReadPolicy: { TableName: !Ref VideosTable }
"#,
        );
        assert!(e.contains("Policies[1]") && e.contains("DynamoDBReadPolicy"), "{e}");
    }

    #[test]
    fn managed_policies_are_errors() {
        let e = error("        - AWSLambdaBasicExecutionRole");
        assert!(e.contains("managed policy"), "{e}");
    }

    #[test]
    fn deny_is_an_error() {
        let e = error(
            r#"
        - Statement: [{ Effect: Deny, Action: [dynamodb:GetItem], Resource: !GetAtt UsersTable.Arn }]
"#,
        );
        assert!(e.contains("Deny"), "{e}");
    }

    #[test]
    fn wildcard_actions_are_errors() {
        for action in ["dynamodb:*", "dynamodb:Get*", "s3:*Object", "*"] {
            let e = error(&format!(
                "        - Statement: [{{ Effect: Allow, Action: [\"{action}\"], Resource: !GetAtt UsersTable.Arn }}]"
            ));
            assert!(e.contains("wildcard"), "{action}: {e}");
        }
    }

    #[test]
    fn not_action_and_not_resource_are_errors() {
        let e = error(
            r#"
        - Statement: [{ Effect: Allow, NotAction: [dynamodb:DeleteItem], Resource: !GetAtt UsersTable.Arn }]
"#,
        );
        assert!(e.contains("NotAction"), "{e}");
    }

    #[test]
    fn unknown_resource_forms_are_errors() {
        for resource in [
            r#""*""#,
            r#""arn:aws:dynamodb:us-east-1:123456789012:table/users""#,
            r#"!Sub "${UsersTable.Arn}/stream/*""#,
            r#"!Sub "${VideosTable.Arn}/index/*""#,
            r#"!Sub "${VideosTable.Arn}/index/no_such_index""#,
            r#"!Sub "${NoSuchTable.Arn}""#,
            r#"!GetAtt SomeLogGroup.Arn"#,
            r#"!GetAtt UsersTable.StreamArn"#,
            r#"!Ref UsersTable"#,
            r#"!Sub "arn:aws:s3:::${VideoBucket}/videos/*""#,
            r#"!Sub "arn:${AWS::Partition}:s3:::${VideoBucket}/*/x*""#,
            r#"!Sub "arn:${AWS::Partition}:s3:::${VideoBucket}/videos/key""#,
            r#"!Sub "arn:${AWS::Partition}:s3:::${UsersTable}/videos/*""#,
            r#"!Sub ["${T}", { T: !GetAtt UsersTable.Arn }]"#,
        ] {
            let e = error(&format!(
                "        - Statement: [{{ Effect: Allow, Action: [dynamodb:GetItem, s3:GetObject], Resource: {resource} }}]"
            ));
            assert!(e.contains("Policies[0]") && e.contains("Statement[0]"), "{resource}: {e}");
        }
    }

    #[test]
    fn an_action_on_the_other_services_resource_is_an_error() {
        let e = error(
            r#"
        - Statement: [{ Effect: Allow, Action: [s3:GetObject], Resource: !GetAtt UsersTable.Arn }]
"#,
        );
        assert!(e.contains("s3:GetObject"), "{e}");
    }

    #[test]
    fn an_unknown_function_is_an_error() {
        let e = granted_access(&template_with("        null"), "nope").unwrap_err().to_string();
        assert!(e.contains("nope"), "{e}");
    }

    /// The repository's own template: every function is understood, and a few known grants.
    #[test]
    fn the_repository_template_is_understood() {
        let template = Template::load(&crate::repo_root().join("template.yaml")).unwrap();
        let binaries: Vec<String> = template
            .resources()
            .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
            .map(|(id, r)| {
                r["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap_or_else(|| panic!("{id}")).to_owned()
            })
            .collect();
        assert!(binaries.len() > 10, "{binaries:?}");
        for binary in &binaries {
            granted_access(&template, binary).unwrap_or_else(|e| panic!("{binary}: {e}"));
        }
        assert!(granted_access(&template, "web").unwrap().is_empty());
        assert!(granted_access(&template, "complete-video").unwrap().contains("s3:ListBucket bucket"));
        assert!(granted_access(&template, "login").unwrap().contains("dynamodb:UpdateItem table/login_attempts"));
    }
}
