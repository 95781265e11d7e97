//! Creates the template's tables and bucket in the local stack. Idempotent:
//! what exists already is left as it is.

use std::collections::HashMap;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_s3::types::{CorsConfiguration, CorsRule};

use crate::template::{Error, KeyPart, TableDef, Template};

fn key_schema(parts: &[KeyPart]) -> Result<Vec<KeySchemaElement>, Error> {
    parts
        .iter()
        .map(|p| {
            Ok(KeySchemaElement::builder()
                .attribute_name(&p.attribute)
                .key_type(KeyType::from(p.key_type.as_str()))
                .build()?)
        })
        .collect()
}

/// Creates one table (and its TTL) unless it exists.
pub async fn ensure_table(client: &aws_sdk_dynamodb::Client, def: &TableDef, name: &str) -> Result<(), Error> {
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(&def.key)?));
    for (attribute, kind) in &def.attributes {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(attribute)
                .attribute_type(ScalarAttributeType::from(kind.as_str()))
                .build()?,
        );
    }
    for index in &def.indexes {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key_schema(&index.key)?))
                .projection(
                    Projection::builder().projection_type(ProjectionType::from(index.projection.as_str())).build(),
                )
                .build()?,
        );
    }
    match request.send().await {
        Ok(_) => {}
        Err(err) if err.code() == Some("ResourceInUseException") => {}
        Err(err) => {
            return Err(format!("create table {name}: {}", aws_sdk_dynamodb::error::DisplayErrorContext(err)).into())
        }
    }
    if let Some(attribute) = &def.ttl_attribute {
        let current = client.describe_time_to_live().table_name(name).send().await?;
        let enabled =
            current.time_to_live_description().and_then(|d| d.attribute_name()).is_some_and(|a| a == attribute);
        if !enabled {
            client
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder().attribute_name(attribute).enabled(true).build()?,
                )
                .send()
                .await?;
        }
    }
    Ok(())
}

/// Creates the bucket unless it exists, then applies the template's CORS.
pub async fn ensure_bucket(
    client: &aws_sdk_s3::Client,
    template: &Template,
    bucket: &str,
    params: &HashMap<String, Vec<String>>,
) -> Result<(), Error> {
    match client.create_bucket().bucket(bucket).send().await {
        Ok(_) => {}
        Err(err) if matches!(err.code(), Some("BucketAlreadyOwnedByYou" | "BucketAlreadyExists")) => {}
        Err(err) => {
            return Err(format!("create bucket {bucket}: {}", aws_sdk_s3::error::DisplayErrorContext(err)).into())
        }
    }
    // A rule without origins (no SITE_ORIGINS, as in the tests) allows nothing: leave it out.
    let rules: Vec<_> = template.bucket_cors(params)?.into_iter().filter(|r| !r.allowed_origins.is_empty()).collect();
    if rules.is_empty() {
        return Ok(());
    }
    let mut cors = CorsConfiguration::builder();
    for rule in rules {
        cors = cors.cors_rules(
            CorsRule::builder()
                .set_allowed_origins(Some(rule.allowed_origins))
                .set_allowed_methods(Some(rule.allowed_methods))
                .set_allowed_headers(Some(rule.allowed_headers))
                .set_expose_headers(Some(rule.exposed_headers))
                .set_max_age_seconds(rule.max_age_secs)
                .build()?,
        );
    }
    client.put_bucket_cors().bucket(bucket).cors_configuration(cors.build()?).send().await?;
    Ok(())
}

/// Everything the app needs: every table, named `<prefix><short name>`, and the bucket.
pub async fn bootstrap(
    dynamodb: &aws_sdk_dynamodb::Client,
    s3: &aws_sdk_s3::Client,
    template: &Template,
    table_prefix: &str,
    bucket: &str,
    params: &HashMap<String, Vec<String>>,
) -> Result<(), Error> {
    for def in template.tables()? {
        ensure_table(dynamodb, &def, &format!("{table_prefix}{}", def.short_name())).await?;
    }
    ensure_bucket(s3, template, bucket, params).await
}
