//! Playback on AWS, read from template.yaml (no local stack runs CloudFront or MediaConvert):
//! CloudFront serves /hls/* from the bucket through origin access control and only with
//! signed cookies, everything else from the API; the bucket lets only this distribution
//! read only the renditions; MediaConvert's job template is the ladder, its role reads
//! originals and writes renditions, and only complete-video may hand it over; MediaConvert's
//! events reach transcode-events.

use std::collections::BTreeSet;

use infra::iam::granted_access;
use serde_norway::Value;
use vidlet_tests::template;

use crate::hardening::{alarm, resources_of, written};

const CACHING_DISABLED: &str = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const ALL_VIEWER_EXCEPT_HOST_HEADER: &str = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

fn resource(id: &str) -> &'static Value {
    let resource = &template().root["Resources"][id];
    assert!(!resource.is_null(), "no resource {id}");
    resource
}

/// The logical id `value` names as `<tag> <id><suffix>` (e.g. `!GetAtt X.Arn`), of type `kind`.
fn named(value: &Value, tag: &str, suffix: &str, kind: &str) -> &'static str {
    let text = written(value);
    let id = text
        .strip_prefix(tag)
        .and_then(|rest| rest.strip_prefix(' '))
        .and_then(|rest| rest.strip_suffix(suffix))
        .unwrap_or_else(|| panic!("{text} is not {tag} <id>{suffix}"));
    let (id, resource) = template().resources().find(|(name, _)| *name == id).expect("a resource");
    assert_eq!(resource["Type"].as_str(), Some(kind), "{id}");
    id
}

fn only_of(kind: &str) -> (&'static str, &'static Value) {
    let all = resources_of(kind);
    assert_eq!(all.len(), 1, "one {kind}: {:?}", all.iter().map(|(id, _)| id).collect::<Vec<_>>());
    all[0]
}

fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::Sequence(items) => items.iter().map(written).collect(),
        other => vec![written(other)],
    }
}

fn distribution_config() -> &'static Value {
    &only_of("AWS::CloudFront::Distribution").1["Properties"]["DistributionConfig"]
}

/// The origin a cache behaviour sends its requests to.
fn origin_of(behaviour: &Value) -> &'static Value {
    let id = behaviour["TargetOriginId"].as_str().expect("TargetOriginId");
    let origins = distribution_config()["Origins"].as_sequence().unwrap();
    origins.iter().find(|o| o["Id"].as_str() == Some(id)).unwrap_or_else(|| panic!("no origin {id}"))
}

fn environment(binary: &str) -> &'static Value {
    &template().function(binary).unwrap().1["Properties"]["Environment"]["Variables"]
}

#[test]
fn hls_comes_from_the_bucket_through_origin_access_control_and_only_with_signed_cookies() {
    let behaviours = distribution_config()["CacheBehaviors"].as_sequence().unwrap();
    assert_eq!(behaviours.len(), 1, "only /hls/* leaves the default behaviour");
    let hls = &behaviours[0];
    assert_eq!(hls["PathPattern"].as_str(), Some("/hls/*"));
    assert_eq!(strings(&hls["AllowedMethods"]), ["GET", "HEAD"]);
    assert_eq!(hls["CachePolicyId"].as_str(), Some(CACHING_OPTIMIZED));
    assert_ne!(hls["ViewerProtocolPolicy"].as_str(), Some("allow-all"));
    assert!(hls["TrustedSigners"].is_null(), "key groups, not the root account's legacy key pairs");

    let origin = origin_of(hls);
    assert_eq!(written(&origin["DomainName"]), "!GetAtt VideoBucket.RegionalDomainName");
    assert_eq!(origin["S3OriginConfig"]["OriginAccessIdentity"].as_str(), Some(""), "no legacy identity");
    let oac = named(&origin["OriginAccessControlId"], "!GetAtt", ".Id", "AWS::CloudFront::OriginAccessControl");
    let oac = &resource(oac)["Properties"]["OriginAccessControlConfig"];
    assert_eq!(oac["OriginAccessControlOriginType"].as_str(), Some("s3"));
    assert_eq!(oac["SigningBehavior"].as_str(), Some("always"));
    assert_eq!(oac["SigningProtocol"].as_str(), Some("sigv4"));

    let groups = hls["TrustedKeyGroups"].as_sequence().expect("signed cookies are required");
    assert_eq!(groups.len(), 1);
    let group = named(&groups[0], "!Ref", "", "AWS::CloudFront::KeyGroup");
    let keys = resource(group)["Properties"]["KeyGroupConfig"]["Items"].as_sequence().unwrap();
    assert_eq!(keys.len(), 1);
    let key = named(&keys[0], "!Ref", "", "AWS::CloudFront::PublicKey");
    assert_eq!(written(&resource(key)["Properties"]["PublicKeyConfig"]["EncodedKey"]), "!Ref PlaybackPublicKeyPem");
    assert_eq!(template().root["Parameters"]["PlaybackPublicKeyPem"]["Type"].as_str(), Some("String"));
}

#[test]
fn everything_else_goes_to_the_api_uncached_with_the_origin_secret() {
    let config = distribution_config();
    let default = &config["DefaultCacheBehavior"];
    assert!(default["TrustedKeyGroups"].is_null(), "the page and the API need no cookie");
    assert_eq!(default["CachePolicyId"].as_str(), Some(CACHING_DISABLED));
    assert_eq!(default["OriginRequestPolicyId"].as_str(), Some(ALL_VIEWER_EXCEPT_HOST_HEADER));
    assert_eq!(default["ViewerProtocolPolicy"].as_str(), Some("redirect-to-https"));
    let methods: BTreeSet<String> = strings(&default["AllowedMethods"]).into_iter().collect();
    let all = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
    assert_eq!(methods, all.iter().map(|m| m.to_string()).collect());
    assert_eq!(config["HttpVersion"].as_str(), Some("http2and3"));
    assert_eq!(written(&config["PriceClass"]), "!Ref PriceClass");
    assert_eq!(template().root["Parameters"]["PriceClass"]["Default"].as_str(), Some("PriceClass_100"));

    let api = origin_of(default);
    assert_eq!(written(&api["DomainName"]), "!Sub ${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}");
    assert_eq!(api["CustomOriginConfig"]["OriginProtocolPolicy"].as_str(), Some("https-only"));
    let headers = api["OriginCustomHeaders"].as_sequence().unwrap();
    assert_eq!(headers.len(), 1);
    assert_eq!(headers[0]["HeaderName"].as_str(), Some("x-origin-verify"));
    // The same generated secret as every function's ORIGIN_VERIFY_SECRET.
    let value = written(&headers[0]["HeaderValue"]);
    let globals = &template().root["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(written(&globals["ORIGIN_VERIFY_SECRET"]), value);
    let secret = value
        .strip_prefix("!Sub {{resolve:secretsmanager:${")
        .and_then(|rest| rest.strip_suffix("}:SecretString}}"))
        .unwrap_or_else(|| panic!("{value} resolves no secret of the stack"));
    let generated = &resource(secret)["Properties"]["GenerateSecretString"];
    assert!(generated["PasswordLength"].as_i64().unwrap() >= 32, "unguessable");
    assert_eq!(generated["ExcludePunctuation"].as_bool(), Some(true), "a valid header value");

    let (id, _) = only_of("AWS::CloudFront::Distribution");
    let site = written(&template().root["Outputs"]["SiteUrl"]["Value"]);
    assert_eq!(site, format!("!Sub https://${{{id}.DomainName}}/"));
}

#[test]
fn the_bucket_lets_only_this_distribution_read_only_the_renditions() {
    let (distribution, _) = only_of("AWS::CloudFront::Distribution");
    let (_, policy) = resources_of("AWS::S3::BucketPolicy")
        .into_iter()
        .find(|(_, p)| written(&p["Properties"]["Bucket"]) == "!Ref VideoBucket")
        .expect("a bucket policy on VideoBucket");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"].as_sequence().unwrap();
    let allows: Vec<&Value> = statements.iter().filter(|s| s["Effect"].as_str() == Some("Allow")).collect();
    assert_eq!(allows.len(), 1, "the bucket grants nobody else anything");
    let allow = allows[0];
    assert_eq!(allow["Principal"]["Service"].as_str(), Some("cloudfront.amazonaws.com"));
    assert_eq!(strings(&allow["Action"]), ["s3:GetObject"]);
    assert_eq!(strings(&allow["Resource"]), ["!Sub ${VideoBucket.Arn}/hls/*"]);
    let condition = allow["Condition"].as_mapping().unwrap();
    assert_eq!(condition.len(), 1);
    let keys = condition["StringEquals"].as_mapping().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        written(&keys["AWS:SourceArn"]),
        format!("!Sub arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{distribution}}}")
    );
}

#[test]
fn mediaconvert_job_state_changes_of_this_app_reach_transcode_events() {
    let (id, function) = template().function("transcode-events").unwrap();
    let rules: Vec<(&str, &Value)> = template()
        .resources()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .flat_map(|(f, r)| r["Properties"]["Events"].as_mapping().into_iter().flatten().map(move |(e, v)| (f, e, v)))
        .filter(|(_, _, event)| event["Type"].as_str() == Some("EventBridgeRule"))
        .map(|(f, _, event)| (f, event))
        .collect();
    assert_eq!(rules.iter().map(|(f, _)| *f).collect::<Vec<_>>(), [id], "one rule, to transcode-events");
    let rule = &rules[0].1["Properties"];
    let expected: Value = serde_norway::from_str(
        r#"{ source: [aws.mediaconvert], detail-type: [MediaConvert Job State Change],
             detail: { status: [COMPLETE, ERROR, INPUT_INFORMATION], userMetadata: { app: [vidlet] } } }"#,
    )
    .unwrap();
    assert_eq!(rule["Pattern"], expected);
    assert!(rule["RetryPolicy"]["MaximumEventAgeInSeconds"].as_i64().unwrap() >= 300);

    // Undelivered (EventBridge) and unhandled (Lambda's async retries) events are kept, and watched.
    let queue = named(&rule["DeadLetterConfig"]["Arn"], "!GetAtt", ".Arn", "AWS::SQS::Queue");
    let on_failure = &function["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"];
    assert_eq!(written(&on_failure["Destination"]), format!("!GetAtt {queue}.Arn"));
    alarm("AWS/SQS", "ApproximateNumberOfMessagesVisible", ("QueueName", &format!("!GetAtt {queue}.QueueName")));
    let event_name = function["Properties"]["Events"].as_mapping().unwrap().keys().next().unwrap();
    let rule_arn = format!("!GetAtt {id}{}.Arn", event_name.as_str().unwrap());
    let (_, queue_policy) = resources_of("AWS::SQS::QueuePolicy")
        .into_iter()
        .find(|(_, p)| strings(&p["Properties"]["Queues"]) == [format!("!Ref {queue}")])
        .expect("EventBridge may send to the queue");
    let send = &queue_policy["Properties"]["PolicyDocument"]["Statement"][0];
    assert_eq!(send["Principal"]["Service"].as_str(), Some("events.amazonaws.com"));
    assert_eq!(strings(&send["Action"]), ["sqs:SendMessage"]);
    assert_eq!(written(&send["Condition"]["ArnEquals"]["aws:SourceArn"]), rule_arn, "only this rule");
}

#[test]
fn only_complete_video_may_hand_mediaconvert_its_role_which_reads_originals_and_writes_renditions() {
    let (role, _) = only_of("AWS::IAM::Role");
    let env = environment("complete-video");
    named(&env["MEDIACONVERT_JOB_TEMPLATE"], "!Ref", "", "AWS::MediaConvert::JobTemplate");
    assert_eq!(written(&env["MEDIACONVERT_ROLE_ARN"]), format!("!GetAtt {role}.Arn"));

    let (_, function) = template().function("complete-video").unwrap();
    let statements = function["Properties"]["Policies"][0]["Statement"].as_sequence().unwrap();
    let pass = statements.iter().find(|s| strings(&s["Action"]) == ["iam:PassRole"]).expect("a PassRole statement");
    assert_eq!(strings(&pass["Resource"]), [format!("!GetAtt {role}.Arn")]);
    let condition: Value =
        serde_norway::from_str(r#"{ StringEquals: { "iam:PassedToService": mediaconvert.amazonaws.com } }"#).unwrap();
    assert_eq!(pass["Condition"], condition);

    for (id, resource) in resources_of("AWS::Serverless::Function") {
        let binary = resource["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        let granted = granted_access(template(), binary).unwrap_or_else(|e| panic!("{id}: {e}"));
        let transcoding: Vec<&String> =
            granted.iter().filter(|g| g.starts_with("iam:") || g.starts_with("mediaconvert:")).collect();
        let expected: Vec<&str> = match binary {
            "complete-video" => vec!["iam:PassRole role/mediaconvert", "mediaconvert:CreateJob transcoder"],
            _ => vec![],
        };
        assert_eq!(transcoding, expected, "{id}");
    }

    let trust = &resource(role)["Properties"]["AssumeRolePolicyDocument"]["Statement"];
    assert_eq!(trust.as_sequence().unwrap().len(), 1);
    assert_eq!(trust[0]["Principal"]["Service"].as_str(), Some("mediaconvert.amazonaws.com"));
    assert_eq!(strings(&trust[0]["Action"]), ["sts:AssumeRole"]);
    assert!(resource(role)["Properties"]["ManagedPolicyArns"].is_null());
    let mut grants = Vec::new();
    for policy in resource(role)["Properties"]["Policies"].as_sequence().unwrap() {
        for statement in policy["PolicyDocument"]["Statement"].as_sequence().unwrap() {
            assert_eq!(statement["Effect"].as_str(), Some("Allow"));
            for action in strings(&statement["Action"]) {
                grants.extend(strings(&statement["Resource"]).into_iter().map(|r| format!("{action} {r}")));
            }
        }
    }
    assert_eq!(
        grants,
        [
            "s3:GetObject !Sub arn:${AWS::Partition}:s3:::${VideoBucket}/videos/*",
            "s3:PutObject !Sub arn:${AWS::Partition}:s3:::${VideoBucket}/hls/*",
        ]
    );
}

/// The rungs of domain/playback.rs: name, height, the video's peak bit rate.
const LADDER: [(&str, i64, i64); 4] =
    [("_1080p", 1080, 5_000_000), ("_720p", 720, 3_000_000), ("_540p", 540, 2_000_000), ("_360p", 360, 800_000)];

#[test]
fn the_job_template_is_the_ladder_tone_mapped_to_sdr() {
    let (_, job_template) = only_of("AWS::MediaConvert::JobTemplate");
    let settings = &job_template["Properties"]["SettingsJson"];
    assert_eq!(settings["Inputs"][0]["VideoSelector"]["ColorSpace"].as_str(), Some("FOLLOW"));
    let groups = settings["OutputGroups"].as_sequence().unwrap();
    assert_eq!(groups.len(), 1);
    let group = &groups[0]["OutputGroupSettings"];
    assert_eq!(group["Type"].as_str(), Some("HLS_GROUP_SETTINGS"));
    assert_eq!(group["HlsGroupSettings"]["SegmentLength"].as_i64(), Some(6));
    assert_eq!(group["HlsGroupSettings"]["SegmentControl"].as_str(), Some("SEGMENTED_FILES"));

    let outputs = groups[0]["Outputs"].as_sequence().unwrap();
    let rungs: Vec<(&str, i64, i64)> = outputs
        .iter()
        .map(|o| {
            let video = &o["VideoDescription"];
            let h264 = &video["CodecSettings"]["H264Settings"];
            (
                o["NameModifier"].as_str().unwrap(),
                video["Height"].as_i64().unwrap(),
                h264["MaxBitrate"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rungs, LADDER);
    for output in outputs {
        let rung = output["NameModifier"].as_str().unwrap();
        assert_eq!(output["ContainerSettings"]["Container"].as_str(), Some("M3U8"), "{rung}: MPEG-TS segments");
        let video = &output["VideoDescription"];
        assert!(video["Width"].is_null(), "{rung}: the width follows the aspect ratio");
        assert_eq!(video["CodecSettings"]["Codec"].as_str(), Some("H_264"), "{rung}");
        let h264 = &video["CodecSettings"]["H264Settings"];
        assert_eq!(h264["RateControlMode"].as_str(), Some("QVBR"), "{rung}");
        assert!(matches!(h264["CodecProfile"].as_str(), Some("HIGH" | "MAIN")), "{rung}: 8-bit 4:2:0 profiles");
        // 30 fps at most: the job sets SPECIFIED 30/1 for a faster source.
        assert_eq!(h264["FramerateControl"].as_str(), Some("INITIALIZE_FROM_SOURCE"), "{rung}");
        let colour = &video["VideoPreprocessors"]["ColorCorrector"];
        assert_eq!(colour["ColorSpaceConversion"].as_str(), Some("FORCE_709"), "{rung}: SDR BT.709");
        assert_eq!(colour["HdrToSdrToneMapper"].as_str(), Some("PRESERVE_DETAILS"), "{rung}: HDR tone-mapped");
        let audio = output["AudioDescriptions"].as_sequence().unwrap();
        assert_eq!(audio.len(), 1, "{rung}");
        assert_eq!(audio[0]["CodecSettings"]["Codec"].as_str(), Some("AAC"), "{rung}");
        let aac = &audio[0]["CodecSettings"]["AacSettings"];
        assert_eq!((aac["Bitrate"].as_i64(), aac["SampleRate"].as_i64()), (Some(128_000), Some(48_000)), "{rung}");
        assert_eq!(aac["CodingMode"].as_str(), Some("CODING_MODE_2_0"), "{rung}: stereo");
    }
}

#[test]
fn the_transcode_setting_has_its_three_values_and_reaches_every_function() {
    let parameters = &template().root["Parameters"];
    assert_eq!(strings(&parameters["Transcode"]["AllowedValues"]), ["needed", "always", "off"]);
    assert_eq!(parameters["Transcode"]["Default"].as_str(), Some("needed"));
    assert_eq!(parameters["TranscodeMaxBitrate"]["Default"].as_i64(), Some(8_000_000));
    let globals = &template().root["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(written(&globals["TRANSCODE"]), "!Ref Transcode");
    assert_eq!(written(&globals["TRANSCODE_MAX_BITRATE"]), "!Ref TranscodeMaxBitrate");
    for (id, function) in resources_of("AWS::Serverless::Function") {
        let own = &function["Properties"]["Environment"]["Variables"];
        assert!(own["TRANSCODE"].is_null() && own["TRANSCODE_MAX_BITRATE"].is_null(), "{id} overrides the setting");
    }
}

#[test]
fn only_get_playback_gets_the_cookie_signing_key() {
    let env = environment("get-playback");
    let key = named(&env["PLAYBACK_COOKIE_KEY_PAIR_ID"], "!Ref", "", "AWS::CloudFront::PublicKey");
    let (group, _) = only_of("AWS::CloudFront::KeyGroup");
    assert_eq!(strings(&resource(group)["Properties"]["KeyGroupConfig"]["Items"]), [format!("!Ref {key}")]);
    assert_eq!(
        written(&env["PLAYBACK_COOKIE_PRIVATE_KEY"]),
        "!Sub {{resolve:secretsmanager:${PlaybackPrivateKeySecretArn}:SecretString}}"
    );
    let parameter = &template().root["Parameters"]["PlaybackPrivateKeySecretArn"];
    assert!(parameter["Default"].is_null(), "each deployment has its own key");
    let globals = serde_norway::to_string(&template().root["Globals"]).unwrap();
    assert!(!globals.contains("PlaybackPrivateKeySecretArn"));
    for (id, function) in resources_of("AWS::Serverless::Function") {
        let own = serde_norway::to_string(&function["Properties"]["Environment"]).unwrap();
        let binary = function["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
        assert_eq!(own.contains("PlaybackPrivateKeySecretArn"), binary == "get-playback", "{id}");
    }
}
