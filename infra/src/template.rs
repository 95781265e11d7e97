//! Reads the tables and the bucket out of template.yaml, the single source of
//! truth for both, so the local stack is built from the same definitions.

use std::collections::HashMap;
use std::path::Path;

use serde_norway::Value;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone)]
pub struct KeyPart {
    pub attribute: String,
    /// HASH or RANGE
    pub key_type: String,
}

#[derive(Debug, Clone)]
pub struct Index {
    pub name: String,
    pub key: Vec<KeyPart>,
    /// ALL, KEYS_ONLY or INCLUDE
    pub projection: String,
}

#[derive(Debug, Clone)]
pub struct TableDef {
    /// The logical id, e.g. `LoginAttemptsTable`.
    pub logical_id: String,
    /// `(name, type)` pairs, e.g. `("username", "S")`.
    pub attributes: Vec<(String, String)>,
    pub key: Vec<KeyPart>,
    pub indexes: Vec<Index>,
    pub ttl_attribute: Option<String>,
}

impl TableDef {
    /// The short name the app uses: `LoginAttemptsTable` → `login_attempts`.
    pub fn short_name(&self) -> String {
        short_table_name(&self.logical_id)
    }
}

/// A table's short name from its logical id: `LoginAttemptsTable` → `login_attempts`.
pub fn short_table_name(logical_id: &str) -> String {
    let base = logical_id.strip_suffix("Table").unwrap_or(logical_id);
    let mut out = String::new();
    for (i, c) in base.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[derive(Debug, Clone)]
pub struct CorsRule {
    pub allowed_origins: Vec<String>,
    pub allowed_methods: Vec<String>,
    pub allowed_headers: Vec<String>,
    pub exposed_headers: Vec<String>,
    pub max_age_secs: Option<i32>,
}

#[derive(Debug, Clone)]
pub struct Template {
    pub root: Value,
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Template { root: serde_norway::from_str(&text)? })
    }

    pub fn resources(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.root["Resources"]
            .as_mapping()
            .into_iter()
            .flat_map(|m| m.iter())
            .filter_map(|(k, v)| Some((k.as_str()?, v)))
    }

    pub(crate) fn resources_of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.resources().filter(move |(_, r)| r["Type"].as_str() == Some(kind))
    }

    /// The `AWS::Serverless::Function` whose `Metadata.BuildProperties.Binary` is `binary`:
    /// its logical id and the resource.
    pub fn function(&self, binary: &str) -> Result<(&str, &Value), Error> {
        let mut found = self
            .resources_of_type("AWS::Serverless::Function")
            .filter(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(binary));
        let first = found.next().ok_or_else(|| format!("template.yaml has no function whose Binary is {binary}"))?;
        if let Some((other, _)) = found.next() {
            return Err(format!("{} and {other} both build the binary {binary}", first.0).into());
        }
        Ok(first)
    }

    pub fn tables(&self) -> Result<Vec<TableDef>, Error> {
        self.resources_of_type("AWS::DynamoDB::Table")
            .map(|(id, resource)| parse_table(id, &resource["Properties"]))
            .collect()
    }

    /// The bucket's CORS rules, with `!Ref Param` resolved from `params`,
    /// falling back to the parameter's default.
    pub fn bucket_cors(&self, params: &HashMap<String, Vec<String>>) -> Result<Vec<CorsRule>, Error> {
        let (_, bucket) =
            self.resources_of_type("AWS::S3::Bucket").next().ok_or("template.yaml defines no AWS::S3::Bucket")?;
        let rules = bucket["Properties"]["CorsConfiguration"]["CorsRules"].as_sequence().cloned().unwrap_or_default();
        rules
            .iter()
            .map(|rule| {
                Ok(CorsRule {
                    allowed_origins: self.strings(&rule["AllowedOrigins"], params)?,
                    allowed_methods: self.strings(&rule["AllowedMethods"], params)?,
                    allowed_headers: self.strings(&rule["AllowedHeaders"], params)?,
                    exposed_headers: self.strings(&rule["ExposedHeaders"], params)?,
                    max_age_secs: rule["MaxAge"].as_i64().map(|v| v as i32),
                })
            })
            .collect()
    }

    /// A list of strings, each a literal or a `!Ref` to a parameter.
    fn strings(&self, value: &Value, params: &HashMap<String, Vec<String>>) -> Result<Vec<String>, Error> {
        let mut out = Vec::new();
        for item in value.as_sequence().into_iter().flatten() {
            match item {
                Value::String(s) => out.push(s.clone()),
                Value::Tagged(tagged) if tagged.tag == "!Ref" => {
                    let name = tagged.value.as_str().ok_or("!Ref needs a name")?;
                    match params.get(name) {
                        Some(values) => out.extend(values.iter().cloned()),
                        None => out.push(self.parameter_default(name)?),
                    }
                }
                // `!Sub` is a deployed origin (CloudFront's): nothing to allow locally.
                Value::Tagged(tagged) if tagged.tag == "!Sub" => {}
                // `!If [HasX, !Ref X, !Ref AWS::NoValue]`: X's values, without an empty one.
                Value::Tagged(tagged) if tagged.tag == "!If" => {
                    let then = tagged.value.get(1).ok_or("!If needs [condition, then, else]")?;
                    let values = self.strings(&Value::Sequence(vec![then.clone()]), params)?;
                    out.extend(values.into_iter().filter(|value| !value.is_empty()));
                }
                other => return Err(format!("unsupported value in template: {other:?}").into()),
            }
        }
        Ok(out)
    }

    pub fn parameter_default(&self, name: &str) -> Result<String, Error> {
        match &self.root["Parameters"][name]["Default"] {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(format!("parameter {name} has no default").into()),
        }
    }
}

fn text(value: &Value, what: &str) -> Result<String, Error> {
    value.as_str().map(str::to_owned).ok_or_else(|| format!("expected a string for {what}").into())
}

fn parse_key(value: &Value) -> Result<Vec<KeyPart>, Error> {
    value
        .as_sequence()
        .ok_or("KeySchema must be a list")?
        .iter()
        .map(|part| {
            Ok(KeyPart {
                attribute: text(&part["AttributeName"], "AttributeName")?,
                key_type: text(&part["KeyType"], "KeyType")?,
            })
        })
        .collect()
}

fn parse_table(logical_id: &str, props: &Value) -> Result<TableDef, Error> {
    let attributes = props["AttributeDefinitions"]
        .as_sequence()
        .ok_or_else(|| format!("{logical_id}: AttributeDefinitions missing"))?
        .iter()
        .map(|a| Ok((text(&a["AttributeName"], "AttributeName")?, text(&a["AttributeType"], "AttributeType")?)))
        .collect::<Result<_, Error>>()?;
    let indexes = props["GlobalSecondaryIndexes"]
        .as_sequence()
        .into_iter()
        .flatten()
        .map(|gsi| {
            Ok(Index {
                name: text(&gsi["IndexName"], "IndexName")?,
                key: parse_key(&gsi["KeySchema"])?,
                projection: text(&gsi["Projection"]["ProjectionType"], "ProjectionType")?,
            })
        })
        .collect::<Result<_, Error>>()?;
    let ttl = &props["TimeToLiveSpecification"];
    let ttl_attribute = (ttl["Enabled"].as_bool() == Some(true))
        .then(|| text(&ttl["AttributeName"], "TTL AttributeName"))
        .transpose()?;
    Ok(TableDef {
        logical_id: logical_id.to_owned(),
        attributes,
        key: parse_key(&props["KeySchema"])?,
        indexes,
        ttl_attribute,
    })
}
