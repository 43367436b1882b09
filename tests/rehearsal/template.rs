//! What the SAM template deploys, read from `infra/template.yaml`: each function's binary, what
//! invokes it (an HTTP API route, a queue, a schedule), its memory and its environment, the
//! CloudFormation references resolved against the rehearsal's own resources.

use std::collections::BTreeMap;

use serde_yaml_ng::Value;

/// What invokes a function in the deployed stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// An HTTP API route: `GET /g/{token}`.
    Http { method: String, path: String },
    /// An SQS event source mapping on this queue (its logical id), this many records a batch.
    Queue { queue: String, batch_size: usize },
    /// An EventBridge schedule.
    Schedule { expression: String },
}

#[derive(Debug, Clone)]
pub struct Function {
    pub logical_id: String,
    pub binary: String,
    pub triggers: Vec<Trigger>,
    pub memory_mb: u64,
    /// Globals' variables and the function's own, references unresolved.
    environment: BTreeMap<String, Value>,
}

/// How the rehearsal's resources stand in for the stack's: the value of `!Ref X` or
/// `!GetAtt X.Y`, by `X` or `X.Y`. Parameters not named here take their template defaults.
pub type Resolver<'a> = &'a dyn Fn(&str) -> Option<String>;

pub struct Template {
    doc: Value,
    pub functions: BTreeMap<String, Function>,
}

impl Template {
    pub fn read(text: &str) -> Self {
        let doc: Value = serde_yaml_ng::from_str(text).expect("the template is YAML");
        let resources = doc["Resources"].as_mapping().expect("Resources");
        let globals = &doc["Globals"]["Function"];
        let mut functions = BTreeMap::new();
        for (id, resource) in resources {
            if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
                continue;
            }
            let logical_id = id.as_str().expect("a logical id").to_owned();
            let binary = binary_of(resource)
                .unwrap_or_else(|| panic!("{logical_id}: no binary named in the template"));
            let properties = &resource["Properties"];
            let mut triggers = Vec::new();
            for event in properties["Events"]
                .as_mapping()
                .map(|m| m.values().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                let p = &event["Properties"];
                match event["Type"].as_str() {
                    Some("HttpApi") => triggers.push(Trigger::Http {
                        method: p["Method"].as_str().expect("Method").to_uppercase(),
                        path: p["Path"].as_str().expect("Path").to_owned(),
                    }),
                    Some("ScheduleV2" | "Schedule") => triggers.push(Trigger::Schedule {
                        expression: p["ScheduleExpression"].as_str().unwrap_or("?").to_owned(),
                    }),
                    other => panic!("{logical_id}: event type {other:?} is not rehearsed"),
                }
            }
            let memory_mb = properties["MemorySize"]
                .as_u64()
                .or_else(|| globals["MemorySize"].as_u64())
                .unwrap_or(128);
            let mut environment = BTreeMap::new();
            for vars in [
                &globals["Environment"]["Variables"],
                &properties["Environment"]["Variables"],
            ] {
                for (k, v) in vars.as_mapping().into_iter().flatten() {
                    environment.insert(k.as_str().expect("a name").to_owned(), v.clone());
                }
            }
            functions.insert(
                logical_id.clone(),
                Function {
                    logical_id,
                    binary,
                    triggers,
                    memory_mb,
                    environment,
                },
            );
        }
        // Queues reach functions through separate event source mappings.
        for resource in resources.values() {
            if resource["Type"].as_str() != Some("AWS::Lambda::EventSourceMapping") {
                continue;
            }
            let p = &resource["Properties"];
            let target = tag_text(&p["FunctionName"]).expect("FunctionName: !Ref");
            let queue = tag_text(&p["EventSourceArn"])
                .and_then(|s| s.strip_suffix(".Arn").map(str::to_owned))
                .expect("EventSourceArn: !GetAtt Queue.Arn");
            let batch_size = p["BatchSize"].as_u64().unwrap_or(10) as usize;
            functions
                .get_mut(&target)
                .unwrap_or_else(|| panic!("an event source mapping for {target}, no such function"))
                .triggers
                .push(Trigger::Queue { queue, batch_size });
        }
        Self { doc, functions }
    }

    /// The function an HTTP API route invokes, as API Gateway matches it: the route's key and
    /// its path parameters.
    pub fn route(
        &self,
        method: &str,
        path: &str,
    ) -> Option<(&Function, String, BTreeMap<String, String>)> {
        let segments: Vec<&str> = path.split('/').collect();
        for function in self.functions.values() {
            for trigger in &function.triggers {
                let Trigger::Http {
                    method: m,
                    path: pattern,
                } = trigger
                else {
                    continue;
                };
                if m != method {
                    continue;
                }
                let wanted: Vec<&str> = pattern.split('/').collect();
                if wanted.len() != segments.len() {
                    continue;
                }
                let mut params = BTreeMap::new();
                let matched = wanted.iter().zip(&segments).all(|(w, s)| {
                    match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                        Some(name) if !s.is_empty() => {
                            let decoded = percent_encoding::percent_decode_str(s)
                                .decode_utf8_lossy()
                                .into_owned();
                            params.insert(name.to_owned(), decoded);
                            true
                        }
                        Some(_) => false,
                        None => w == s,
                    }
                });
                if matched {
                    return Some((function, format!("{method} {pattern}"), params));
                }
            }
        }
        None
    }

    /// A function's environment as Lambda would give it, every reference resolved.
    pub fn environment(&self, function: &Function, resolve: Resolver) -> Vec<(String, String)> {
        function
            .environment
            .iter()
            .map(|(name, value)| {
                let value = self.value(value, resolve).unwrap_or_else(|| {
                    panic!("{}: {name} = {value:?} can't be resolved", function.binary)
                });
                (name.clone(), value)
            })
            .collect()
    }

    fn value(&self, value: &Value, resolve: Resolver) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Tagged(tagged) => match tagged.tag.to_string().as_str() {
                "!Ref" => {
                    let name = tagged.value.as_str()?;
                    resolve(name).or_else(|| self.parameter_default(name))
                }
                "!GetAtt" => resolve(tagged.value.as_str()?),
                "!If" => {
                    let [condition, yes, no] = tagged.value.as_sequence()?.as_slice() else {
                        return None;
                    };
                    let holds = self.condition(condition.as_str()?, resolve)?;
                    self.value(if holds { yes } else { no }, resolve)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The template's conditions are all "this parameter is not empty".
    fn condition(&self, name: &str, resolve: Resolver) -> Option<bool> {
        let condition = &self.doc["Conditions"][name];
        let Value::Tagged(not) = condition else {
            return None;
        };
        let Value::Tagged(equals) = &not.value.as_sequence()?.first()? else {
            return None;
        };
        let [left, right] = equals.value.as_sequence()?.as_slice() else {
            return None;
        };
        Some(self.value(left, resolve)? != self.value(right, resolve)?)
    }

    fn parameter_default(&self, name: &str) -> Option<String> {
        let default = &self.doc["Parameters"][name]["Default"];
        match default {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// The binary a function runs: named in its build properties, or the folder of a prebuilt
/// `CodeUri` (`../target/lambda/<binary>/`).
fn binary_of(resource: &Value) -> Option<String> {
    if let Some(binary) = resource["Metadata"]["BuildProperties"]["Binary"].as_str() {
        return Some(binary.to_owned());
    }
    let uri = resource["Properties"]["CodeUri"].as_str()?;
    uri.trim_end_matches('/')
        .rsplit('/')
        .next()
        .map(str::to_owned)
}

fn tag_text(value: &Value) -> Option<String> {
    match value {
        Value::Tagged(tagged) => tagged.value.as_str().map(str::to_owned),
        _ => None,
    }
}
