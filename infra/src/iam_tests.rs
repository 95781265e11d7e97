//! Tests of the policy parser.

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
  HlsJobTemplate:
    Type: AWS::MediaConvert::JobTemplate
  OwnQueue:
    Type: AWS::MediaConvert::Queue
  MediaConvertRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{{ Effect: Allow, Principal: {{ Service: mediaconvert.amazonaws.com }}, Action: sts:AssumeRole }}]
  LambdaRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement: [{{ Effect: Allow, Principal: {{ Service: [lambda.amazonaws.com] }}, Action: sts:AssumeRole }}]
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

const DEFAULT_QUEUE: &str =
    r#"!Sub "arn:${AWS::Partition}:mediaconvert:${AWS::Region}:${AWS::AccountId}:queues/Default""#;

/// One statement whose `Action` and `Resource` are `action` and `resources` (YAML flow lists).
fn statement(action: &str, resources: &str, condition: &str) -> String {
    let condition = if condition.is_empty() { String::new() } else { format!(", Condition: {condition}") };
    format!("        - Statement: [{{ Effect: Allow, Action: {action}, Resource: {resources}{condition} }}]")
}

#[test]
fn renditions_are_one_more_prefix() {
    let got = granted(&statement(
        "[s3:GetObject, s3:DeleteObject]",
        r#"!Sub "arn:${AWS::Partition}:s3:::${VideoBucket}/hls/*""#,
        "",
    ))
    .unwrap();
    assert_eq!(got, ["s3:DeleteObject bucket/hls/*", "s3:GetObject bucket/hls/*"]);
}

#[test]
fn create_job_on_the_job_template_and_a_queue_is_the_transcoder() {
    for queue in [DEFAULT_QUEUE, "!GetAtt OwnQueue.Arn"] {
        let got =
            granted(&statement("[mediaconvert:CreateJob]", &format!("[!GetAtt HlsJobTemplate.Arn, {queue}]"), ""));
        assert_eq!(got.unwrap(), ["mediaconvert:CreateJob transcoder"], "{queue}");
    }
}

#[test]
fn create_job_needs_the_job_template_and_the_queue_and_nothing_else() {
    let template = "!GetAtt HlsJobTemplate.Arn";
    let bucket = r#"!Sub "arn:${AWS::Partition}:s3:::${VideoBucket}/hls/*""#;
    for resources in [
        format!("[{template}]"),
        format!("[{DEFAULT_QUEUE}]"),
        format!("[{template}, {DEFAULT_QUEUE}, {bucket}]"),
        format!("[{template}, {template}]"),
        r#"[!GetAtt HlsJobTemplate.Arn, !Sub "arn:${AWS::Partition}:mediaconvert:${AWS::Region}:${AWS::AccountId}:queues/*"]"#.to_owned(),
    ] {
        let e = error(&statement("[mediaconvert:CreateJob]", &resources, ""));
        assert!(e.contains("Statement[0]"), "{resources}: {e}");
    }
    let both = format!("[{template}, {DEFAULT_QUEUE}]");
    for action in [
        "[mediaconvert:CreateJob, mediaconvert:CancelJob]",
        "[mediaconvert:CancelJob]",
        "[mediaconvert:CreateJob, s3:GetObject]",
    ] {
        let e = error(&statement(action, &both, ""));
        assert!(e.contains("mediaconvert:CreateJob"), "{action}: {e}");
    }
    let e =
        error(&statement("[mediaconvert:CreateJob]", &both, r#"{ StringEquals: { "aws:RequestTag/app": vidlet } }"#));
    assert!(e.contains("Condition"), "{e}");
    // A storage action on the job template is no grant either.
    let e = error(&statement("[s3:GetObject]", template, ""));
    assert!(e.contains("another service's resource"), "{e}");
}

const PASSED_TO_MEDIACONVERT: &str = r#"{ StringEquals: { "iam:PassedToService": mediaconvert.amazonaws.com } }"#;

#[test]
fn pass_role_of_a_role_mediaconvert_assumes_only_to_mediaconvert() {
    let got = granted(&statement("[iam:PassRole]", "!GetAtt MediaConvertRole.Arn", PASSED_TO_MEDIACONVERT));
    assert_eq!(got.unwrap(), ["iam:PassRole role/mediaconvert"]);
    let listed = r#"{ StringEquals: { "iam:PassedToService": [mediaconvert.amazonaws.com] } }"#;
    let got = granted(&statement("iam:PassRole", "[!GetAtt [MediaConvertRole, Arn]]", listed));
    assert_eq!(got.unwrap(), ["iam:PassRole role/mediaconvert"]);
}

#[test]
fn pass_role_without_the_passed_to_service_condition_is_refused() {
    for condition in [
        "",
        r#"{ StringLike: { "iam:PassedToService": mediaconvert.amazonaws.com } }"#,
        r#"{ StringEquals: { "iam:PassedToService": "*" } }"#,
        r#"{ StringEquals: { "iam:PassedToService": [mediaconvert.amazonaws.com, lambda.amazonaws.com] } }"#,
        r#"{ StringEquals: { "iam:PassedToService": mediaconvert.amazonaws.com, "aws:SourceAccount": "1" } }"#,
        r#"{ StringEquals: { "iam:PassedToService": mediaconvert.amazonaws.com }, Bool: { "aws:SecureTransport": "true" } }"#,
    ] {
        let e = error(&statement("[iam:PassRole]", "!GetAtt MediaConvertRole.Arn", condition));
        assert!(e.contains("iam:PassedToService"), "{condition:?}: {e}");
    }
}

#[test]
fn pass_role_of_anything_but_a_role_the_service_assumes_is_refused() {
    for (role, needle) in [
        ("!GetAtt LambdaRole.Arn", "does not trust"),
        ("[!GetAtt MediaConvertRole.Arn, !GetAtt LambdaRole.Arn]", "does not trust"),
        ("!GetAtt HlsJobTemplate.Arn", "only a role"),
        (r#""*""#, "not understood"),
        (r#"!Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*""#, "not understood"),
    ] {
        let e = error(&statement("[iam:PassRole]", role, PASSED_TO_MEDIACONVERT));
        assert!(e.contains(needle), "{role}: {e}");
    }
    let e = error(&statement("[iam:PassRole, iam:GetRole]", "!GetAtt MediaConvertRole.Arn", PASSED_TO_MEDIACONVERT));
    assert!(e.contains("iam:PassRole is understood alone"), "{e}");
}

/// The repository's own template: every function is understood, and a few known grants.
#[test]
fn the_repository_template_is_understood() {
    let template = Template::load(&crate::repo_root().join("template.yaml")).unwrap();
    let binaries: Vec<String> = template
        .resources()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|(id, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap_or_else(|| panic!("{id}")).to_owned())
        .collect();
    assert!(binaries.len() > 10, "{binaries:?}");
    for binary in &binaries {
        granted_access(&template, binary).unwrap_or_else(|e| panic!("{binary}: {e}"));
    }
    assert!(granted_access(&template, "fallback").unwrap().is_empty());
    let web = granted_access(&template, "web").unwrap();
    assert!(web.contains("dynamodb:GetItem table/videos") && web.contains("dynamodb:GetItem table/users"), "{web:?}");
    assert!(granted_access(&template, "complete-video").unwrap().contains("s3:ListBucket bucket"));
    assert!(granted_access(&template, "login").unwrap().contains("dynamodb:UpdateItem table/login_attempts"));
    let complete = granted_access(&template, "complete-video").unwrap();
    for grant in ["mediaconvert:CreateJob transcoder", "iam:PassRole role/mediaconvert"] {
        assert!(complete.contains(grant), "{grant}: {complete:?}");
    }
    assert!(granted_access(&template, "sweep").unwrap().contains("s3:DeleteObject bucket/hls/*"));
    assert!(granted_access(&template, "get-playlist").unwrap().contains("s3:GetObject bucket/hls/*"));
}
