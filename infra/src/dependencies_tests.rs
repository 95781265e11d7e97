//! Tests of the dependency graph.

use super::*;

/// A bucket whose CORS names `cors_origin`, an API, and a function routed to the API
/// that learns the bucket's name from `Globals`.
fn template_with(cors_origin: &str) -> Template {
    let text = format!(
        r#"
Globals:
  Function:
    Environment:
      Variables:
        BUCKET_NAME: !Ref Bucket
        REGION: !Sub "${{AWS::Region}}"
Parameters:
  SiteOrigin: {{ Type: String }}
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      CorsConfiguration:
        CorsRules:
          - AllowedOrigins: [{cors_origin}]
  Function:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        Route: {{ Type: HttpApi, Properties: {{ ApiId: !Ref Api, Method: GET, Path: / }} }}
"#
    );
    Template { root: serde_norway::from_str(&text).expect("test template parses") }
}

#[test]
fn a_cycle_through_the_routes_sam_writes_into_the_api_is_found() {
    let template = template_with(r#"!Sub "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}""#);
    let edges = dependencies(&template);
    assert!(edges["Bucket"].contains("Api"), "{edges:?}");
    assert!(edges["Api"].contains("Function"), "SAM's route: {edges:?}");
    assert!(edges["Function"].contains("Bucket"), "Globals: {edges:?}");
    assert!(!edges["Function"].contains("Api"), "its events are resources of their own: {edges:?}");
    let mut found = cycle(&template).expect("a cycle");
    found.sort();
    assert_eq!(found, ["Api", "Bucket", "Function"]);
}

#[test]
fn parameters_and_pseudo_parameters_are_no_resources() {
    for origin in [r#"!Ref SiteOrigin"#, r#"!Sub "https://*.cloudfront.net""#, r#"!Sub "${!Api}""#] {
        let template = template_with(origin);
        assert!(dependencies(&template)["Bucket"].is_empty(), "{origin}");
        assert_eq!(cycle(&template), None, "{origin}");
    }
}

#[test]
fn every_form_of_reference_is_an_edge() {
    let template = Template {
        root: serde_norway::from_str(
            r#"
Resources:
  A: { Type: X, DependsOn: [B], Properties: { P: !GetAtt [C, Arn], Q: { "Fn::Sub": ["${D}-${E}", { E: x }] } } }
  B: { Type: X, DependsOn: C, Properties: { P: { Ref: D } } }
  C: { Type: X, Properties: { P: { "Fn::GetAtt": [D, Arn] }, Q: !Sub "${F.Arn}" } }
  D: { Type: X }
  E: { Type: X }
  F: { Type: X, Properties: { P: !Ref A } }
"#,
        )
        .unwrap(),
    };
    let edges = dependencies(&template);
    let names = |id: &str| edges[id].iter().map(String::as_str).collect::<Vec<_>>();
    assert_eq!(names("A"), ["B", "C", "D"], "E is the !Sub's own variable");
    assert_eq!(names("B"), ["C", "D"]);
    assert_eq!(names("C"), ["D", "F"]);
    // A -> C -> F -> A, or the same through B.
    let found = cycle(&template).expect("a cycle through F");
    assert!(found.contains(&"F".to_owned()), "{found:?}");
    for (i, node) in found.iter().enumerate() {
        let next = &found[(i + 1) % found.len()];
        assert!(edges[node].contains(next), "{node} does not need {next}: {found:?}");
    }
}

/// SAM's generated names (`<Function>Role`, `<Function><Event>`) stand for their function.
#[test]
fn sams_generated_resources_stand_for_their_function() {
    let template = Template {
        root: serde_norway::from_str(
            r#"
Resources:
  Queue: { Type: AWS::SQS::Queue }
  Policy: { Type: AWS::SQS::QueuePolicy, Properties: { Source: !GetAtt FnRule.Arn, Role: !Ref FnRole } }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Events: { Rule: { Type: EventBridgeRule, Properties: { DeadLetterConfig: { Arn: !GetAtt Queue.Arn } } } }
"#,
        )
        .unwrap(),
    };
    assert_eq!(dependencies(&template)["Policy"].iter().collect::<Vec<_>>(), ["Fn"]);
}

/// CloudFormation would refuse the repository's template with a cycle, whatever the linters say.
#[test]
fn the_repository_template_has_no_cycle() {
    let template = Template::load(&crate::repo_root().join("template.yaml")).unwrap();
    assert_eq!(cycle(&template), None);
    let edges = dependencies(&template);
    assert!(edges["HttpApi"].contains("WebFunction"), "the API's routes: {:?}", edges["HttpApi"]);
    assert!(edges["SiteDistribution"].contains("HttpApi") && edges["SiteDistribution"].contains("VideoBucket"));
}
