//! The SAM template's IAM policies, function by function, and whether they allow the
//! permissions [`crate::sdk_calls`] recorded. Only what the template uses is understood (inline
//! `Allow` statements, `!GetAtt`/`!Sub`/`!Ref` resources, a `StringLike` `s3:prefix` condition);
//! anything else fails loudly rather than being read as "allowed".

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use serde_yaml_ng::Value;

use crate::sdk_calls::Need;

#[derive(Debug, Clone)]
pub struct Statement {
    pub actions: Vec<String>,
    pub resources: Vec<String>,
    /// `StringLike` `s3:prefix` patterns, when the statement is conditioned on them.
    pub prefixes: Option<Vec<String>>,
}

/// Each function's statements, by its binary's name.
pub fn policies(template: &str) -> BTreeMap<String, Vec<Statement>> {
    let doc: Value = serde_yaml_ng::from_str(template).expect("the template is YAML");
    let resources = doc["Resources"].as_mapping().expect("Resources");
    let mut out = BTreeMap::new();
    for (name, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap_or_else(|| panic!("{name:?} has no Binary"))
            .to_owned();
        let mut statements = Vec::new();
        for policy in resource["Properties"]["Policies"]
            .as_sequence()
            .cloned()
            .unwrap_or_default()
        {
            let Some(list) = policy["Statement"].as_sequence() else {
                panic!("{binary}: only inline policy documents are understood, not {policy:?}");
            };
            statements.extend(list.iter().map(|s| statement(&binary, s)));
        }
        out.insert(binary, statements);
    }
    out
}

/// The environment variables each function gets (its own and the template's `Globals`), by
/// its binary's name.
pub fn environments(template: &str) -> BTreeMap<String, Vec<String>> {
    let doc: Value = serde_yaml_ng::from_str(template).expect("the template is YAML");
    let names = |variables: &Value| -> Vec<String> {
        variables
            .as_mapping()
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let global = names(&doc["Globals"]["Function"]["Environment"]["Variables"]);
    let resources = doc["Resources"].as_mapping().expect("Resources");
    resources
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|r| {
            let binary = r["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .expect("Binary")
                .to_owned();
            let mut vars = global.clone();
            vars.extend(names(&r["Properties"]["Environment"]["Variables"]));
            (binary, vars)
        })
        .collect()
}

fn statement(binary: &str, s: &Value) -> Statement {
    assert_eq!(s["Effect"].as_str(), Some("Allow"), "{binary}: {s:?}");
    let prefixes = match &s["Condition"] {
        Value::Null => None,
        condition => {
            let like = condition["StringLike"]["s3:prefix"]
                .as_sequence()
                .filter(|_| condition.as_mapping().is_some_and(|m| m.len() == 1))
                .unwrap_or_else(|| panic!("{binary}: unsupported condition {condition:?}"));
            Some(like.iter().map(resource).collect())
        }
    };
    Statement {
        actions: strings(&s["Action"]).iter().map(resource).collect(),
        resources: strings(&s["Resource"]).iter().map(resource).collect(),
        prefixes,
    }
}

fn strings(value: &Value) -> Vec<Value> {
    match value {
        Value::Sequence(items) => items.clone(),
        other => vec![other.clone()],
    }
}

/// A resource as [`Need`] names it.
fn resource(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Tagged(tagged) => {
            let inner = tagged
                .value
                .as_str()
                .unwrap_or_else(|| panic!("unsupported {} form: {:?}", tagged.tag, tagged.value));
            match tagged.tag.to_string().as_str() {
                "!GetAtt" => match inner.strip_suffix(".Arn") {
                    Some("Table") => "table".into(),
                    Some(queue) if queue.ends_with("Queue") => format!("queue:{queue}"),
                    _ => panic!("unsupported !GetAtt {inner}"),
                },
                "!Sub" => inner
                    .replace("${Table.Arn}", "table")
                    .replace("arn:${AWS::Partition}:s3:::${PhotosBucket}", "bucket")
                    .replace(
                        "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:",
                        "",
                    )
                    .replace("${SenderEmail}", "SENDER")
                    .replace(
                        "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SecretKeyParameterName}",
                        "parameter:SECRET_KEY",
                    ),
                "!Ref" => inner.to_owned(),
                other => panic!("unsupported tag {other}"),
            }
        }
        other => panic!("unsupported value {other:?}"),
    }
}

/// `*` matches any run of characters; nothing else is special.
pub fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.starts_with(head)
                && (0..=text.len() - head.len()).any(|i| glob(tail, &text[head.len() + i..]))
        }
    }
}

/// Whether any statement allows the need.
pub fn allows(statements: &[Statement], need: &Need) -> bool {
    statements.iter().any(|s| {
        s.actions.iter().any(|a| glob(a, &need.action))
            && s.resources.iter().any(|r| glob(r, &need.resource))
            && match (&s.prefixes, &need.prefix) {
                (None, _) => true,
                // A conditioned statement never allows a request that carries no prefix.
                (Some(_), None) => false,
                (Some(patterns), Some(prefix)) => patterns.iter().any(|p| glob(p, prefix)),
            }
    })
}

/// The SAM template, as checked in.
pub fn template() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    std::fs::read_to_string(path).expect("infra/template.yaml")
}

/// What the template does not allow, as readable lines.
pub fn uncovered(template: &str, needs: &BTreeSet<Need>) -> Vec<String> {
    uncovered_by(&policies(template), needs)
}

fn uncovered_by(
    policies: &BTreeMap<String, Vec<Statement>>,
    needs: &BTreeSet<Need>,
) -> Vec<String> {
    needs
        .iter()
        .filter(|need| {
            policies
                .get(need.function)
                .is_none_or(|statements| !allows(statements, need))
        })
        .map(|n| {
            format!(
                "{}: {} on {}{} (for {})",
                n.function,
                n.action,
                n.resource,
                n.prefix
                    .as_ref()
                    .map(|p| format!(" with prefix {p}"))
                    .unwrap_or_default(),
                n.call
            )
        })
        .collect()
}

/// Panics, naming the gaps, when the template does not allow a call a function made. Every
/// `TestApp` call of a route or a worker is checked this way, so a route's IAM need is tested
/// by whichever tests call it, with nothing to add to a tour.
pub fn assert_allowed(function: &str, needs: &BTreeSet<Need>) {
    static POLICIES: LazyLock<BTreeMap<String, Vec<Statement>>> =
        LazyLock::new(|| policies(&template()));
    let made: BTreeSet<Need> = needs
        .iter()
        .filter(|n| n.function == function)
        .cloned()
        .collect();
    let gaps = uncovered_by(&POLICIES, &made);
    assert!(
        gaps.is_empty(),
        "infra/template.yaml does not allow (add the statement to infra/http-functions.yaml or \
         the worker's resource):\n  {}",
        gaps.join("\n  ")
    );
}
