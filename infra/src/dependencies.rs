//! The order CloudFormation must create template.yaml's resources in. Every `Ref`,
//! `!GetAtt`, `!Sub` variable and `DependsOn` is an edge, and so are the edges the SAM
//! transform adds: an `HttpApi`'s generated body names every function routed to it, and
//! `Globals.Function` reaches every function. A cycle fails the deploy; cfn-lint (so
//! `sam validate --lint`) skips the cycles that run through a SAM resource.

use std::collections::{BTreeMap, BTreeSet};

use serde_norway::Value;

use crate::template::Template;

/// Each resource's logical id, with the resources it needs created first.
pub fn dependencies(template: &Template) -> BTreeMap<String, BTreeSet<String>> {
    const FUNCTION: &str = "AWS::Serverless::Function";
    let functions: Vec<(&str, &Value)> = template.resources_of_type(FUNCTION).collect();
    let names = Names::new(template, &functions);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, resource) in template.resources() {
        let mut needs = BTreeSet::new();
        for (key, value) in resource["Properties"].as_mapping().into_iter().flatten() {
            // A function's events become resources of their own, which need the function.
            if !(key.as_str() == Some("Events") && resource["Type"].as_str() == Some(FUNCTION)) {
                references(value, &names, &mut needs);
            }
        }
        let depends_on = match &resource["DependsOn"] {
            Value::Sequence(items) => items.iter().filter_map(Value::as_str).collect(),
            other => other.as_str().into_iter().collect::<Vec<_>>(),
        };
        needs.extend(depends_on.into_iter().filter_map(|name| names.resolve(name)).cloned());
        edges.entry(id.to_owned()).or_default().extend(needs);
    }
    let mut global = BTreeSet::new();
    references(&template.root["Globals"]["Function"], &names, &mut global);
    for (id, function) in &functions {
        edges.entry((*id).to_owned()).or_default().extend(global.iter().cloned());
        // SAM writes the route's integration, naming the function, into the API's body.
        for (_, event) in function["Properties"]["Events"].as_mapping().into_iter().flatten() {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let mut apis = BTreeSet::new();
            references(&event["Properties"]["ApiId"], &names, &mut apis);
            for api in apis {
                edges.entry(api).or_default().insert((*id).to_owned());
            }
        }
    }
    edges
}

/// A cycle of resources, each needing the next and the last the first; None when the
/// template can be created in some order.
pub fn cycle(template: &Template) -> Option<Vec<String>> {
    let edges = dependencies(template);
    let mut done = BTreeSet::new();
    for start in edges.keys() {
        let mut path = Vec::new();
        if let Some(found) = visit(start, &edges, &mut path, &mut done) {
            return Some(found);
        }
    }
    None
}

/// Depth first from `node`; `path` is the chain being followed, `done` what has no cycle.
fn visit(
    node: &str,
    edges: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if done.contains(node) {
        return None;
    }
    if let Some(at) = path.iter().position(|n| n == node) {
        return Some(path[at..].to_vec());
    }
    path.push(node.to_owned());
    for next in edges.get(node).into_iter().flatten() {
        if let Some(found) = visit(next, edges, path, done) {
            return Some(found);
        }
    }
    path.pop();
    done.insert(node.to_owned());
    None
}

/// The resources a reference can name: the template's own, and the ones SAM generates
/// for a function (`<Function>Role`, `<Function><Event>`), which stand for the function.
struct Names(BTreeMap<String, String>);

impl Names {
    fn new(template: &Template, functions: &[(&str, &Value)]) -> Self {
        let mut names: BTreeMap<String, String> =
            template.resources().map(|(id, _)| (id.to_owned(), id.to_owned())).collect();
        for (id, function) in functions {
            names.entry(format!("{id}Role")).or_insert_with(|| (*id).to_owned());
            for (event, _) in function["Properties"]["Events"].as_mapping().into_iter().flatten() {
                if let Some(event) = event.as_str() {
                    names.entry(format!("{id}{event}")).or_insert_with(|| (*id).to_owned());
                }
            }
        }
        Names(names)
    }

    /// The resource `name` (`X`, or `X.Attribute`) stands for, if any; parameters and
    /// pseudo parameters (`AWS::Region`) stand for none.
    fn resolve(&self, name: &str) -> Option<&String> {
        let id = name.split('.').next().unwrap_or(name);
        self.0.get(id)
    }
}

/// Adds to `out` every resource `value` names, at any depth.
fn references(value: &Value, names: &Names, out: &mut BTreeSet<String>) {
    match value {
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            named_by(tag.trim_start_matches('!'), &tagged.value, names, out);
        }
        Value::Mapping(map) => {
            if map.len() == 1 {
                if let Some((Value::String(key), inner)) = map.iter().next() {
                    if let Some(function) = key.strip_prefix("Fn::").or((key == "Ref").then_some("Ref")) {
                        return named_by(function, inner, names, out);
                    }
                }
            }
            map.values().for_each(|v| references(v, names, out));
        }
        Value::Sequence(items) => items.iter().for_each(|v| references(v, names, out)),
        Value::String(_) | Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// What the intrinsic function `function` with argument `argument` names.
fn named_by(function: &str, argument: &Value, names: &Names, out: &mut BTreeSet<String>) {
    match (function, argument) {
        ("Ref" | "GetAtt", Value::String(name)) => out.extend(names.resolve(name).cloned()),
        ("GetAtt", Value::Sequence(parts)) => {
            out.extend(parts.first().and_then(Value::as_str).and_then(|id| names.resolve(id)).cloned())
        }
        ("Sub", Value::String(text)) => sub_variables(text, names, out),
        ("Sub", Value::Sequence(parts)) => {
            let defined: BTreeSet<&str> = parts
                .get(1)
                .and_then(Value::as_mapping)
                .map(|m| m.keys().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(text) = parts.first().and_then(Value::as_str) {
                let mut named = BTreeSet::new();
                sub_variables(text, names, &mut named);
                out.extend(named.into_iter().filter(|n| !defined.contains(n.as_str())));
            }
            parts.iter().skip(1).for_each(|v| references(v, names, out));
        }
        (_, other) => references(other, names, out),
    }
}

/// The resources of `${X}` and `${X.Attribute}` in a `!Sub` string (`${!X}` is a literal).
fn sub_variables(text: &str, names: &Names, out: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('}') else { break };
        let variable = &rest[..end];
        if !variable.starts_with('!') {
            out.extend(names.resolve(variable).cloned());
        }
        rest = &rest[end + 1..];
    }
}

#[cfg(test)]
#[path = "dependencies_tests.rs"]
mod tests;
