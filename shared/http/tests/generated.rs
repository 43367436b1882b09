//! Everything the route table (`ROUTES` in `src/routes.rs`) determines is generated from it,
//! committed, and checked here, so a route is declared once:
//!
//! - `functions/src/bin/<function>.rs`: each route's Lambda binary;
//! - the HTTP functions in `infra/template.yaml`: one resource per route, from the route table
//!   and `infra/http-functions.yaml` (what the table does not say: each function's IAM
//!   statements, any extra environment, a comment);
//! - `shared/http/openapi.json`: the API's description (`proofsheet_http::openapi`).
//!
//! Each test fails when the committed file is missing, stale or left over, naming it.
//! Regenerate them all with `UPDATE_GENERATED=1 cargo test -p proofsheet-http --test generated`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proofsheet_app::SecretKeyUse;
use proofsheet_http::openapi::document_json;
use proofsheet_http::{Audience, ROUTES, RouteSpec};

const REGENERATE: &str = "UPDATE_GENERATED=1 cargo test -p proofsheet-http --test generated";

/// The first line after a generated binary's doc line: how a binary is told from a hand-written
/// one (the queue workers' and the scheduled job's).
const BINARY_MARK: &str = "//! Generated from the route table";

const TEMPLATE_START: &str = "  # Generated: the HTTP functions";
const TEMPLATE_END: &str = "  # End of the generated HTTP functions.";

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn regenerating() -> bool {
    std::env::var("UPDATE_GENERATED").as_deref() == Ok("1")
}

/// Writes `generated` to the repository's file `relative` when regenerating; otherwise fails
/// unless the committed file is exactly `generated`, showing the first line that differs.
fn committed_is(relative: &str, generated: &str) {
    let path = repo_file(relative);
    let path = path.as_path();
    if regenerating() {
        std::fs::write(path, generated)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let Ok(committed) = std::fs::read_to_string(path) else {
        panic!("{relative} is missing: it is generated from the route table. Run\n  {REGENERATE}");
    };
    if committed == generated {
        return;
    }
    let (line, ours, theirs) = committed
        .lines()
        .map(Some)
        .chain(std::iter::repeat(None))
        .zip(generated.lines().map(Some).chain(std::iter::repeat(None)))
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| {
            (
                i + 1,
                a.unwrap_or("<end of file>"),
                b.unwrap_or("<end of file>"),
            )
        })
        .unwrap_or((0, "", ""));
    panic!(
        "{relative} is not what the route table generates (first difference at line {line}:\n  \
         committed: {ours}\n  generated: {theirs}\n). Regenerate it with\n  {REGENERATE}\nand \
         commit it."
    );
}

// ---------------------------------------------------------------------------------------------
// The functions' binaries
// ---------------------------------------------------------------------------------------------

fn binary_source(spec: &RouteSpec) -> String {
    format!(
        "//! {method} {path}\n\
         {BINARY_MARK} (shared/http/src/routes.rs); regenerate with\n\
         //! `{REGENERATE}`.\n\
         use proofsheet_http::Route;\n\
         \n\
         #[tokio::main]\n\
         async fn main() -> Result<(), lambda_http::Error> {{\n    \
             // In a const block: the binary links this route's handler alone.\n    \
             proofsheet_http::lambda::serve(const {{ Route::{route:?}.endpoint() }}).await\n\
         }}\n",
        method = spec.method,
        path = spec.path,
        route = spec.route,
    )
}

#[test]
fn every_route_has_its_generated_binary_and_no_other() {
    let bin = repo_file("functions/src/bin");
    let mut expected = BTreeSet::new();
    for spec in ROUTES {
        committed_is(
            &format!("functions/src/bin/{}.rs", spec.function),
            &binary_source(spec),
        );
        expected.insert(bin.join(format!("{}.rs", spec.function)));
    }
    for entry in std::fs::read_dir(&bin).expect("functions/src/bin") {
        let file = entry.expect("a directory entry").path();
        let generated = read(&file)
            .lines()
            .nth(1)
            .unwrap_or_default()
            .starts_with(BINARY_MARK);
        if generated && !expected.contains(&file) {
            if regenerating() {
                std::fs::remove_file(&file).expect("a left-over binary removed");
            } else {
                panic!(
                    "functions/src/bin/{} was generated for a route that is no longer in the \
                     route table: remove it, or run\n  {REGENERATE}",
                    file.file_name().unwrap_or_default().display()
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The HTTP functions in the SAM template
// ---------------------------------------------------------------------------------------------

/// One function's entry in `infra/http-functions.yaml`, as lines without their indentation.
#[derive(Default)]
struct FunctionEntry {
    comment: Vec<String>,
    environment: Vec<String>,
    statements: Vec<String>,
}

/// Reads `infra/http-functions.yaml` as text, keeping its comments for the template: comment
/// lines right above a function's name are its comment; under the name, `Environment:` holds
/// extra variables and `Statement:` its IAM statements, each indented four spaces.
fn function_entries(text: &str) -> Vec<(String, FunctionEntry)> {
    let mut entries: Vec<(String, FunctionEntry)> = Vec::new();
    let mut comment = Vec::new();
    let mut block: Option<&str> = None;
    for (number, line) in text.lines().enumerate() {
        let at = || format!("infra/http-functions.yaml, line {}", number + 1);
        if line.trim().is_empty() {
            comment.clear();
        } else if let Some(text) = line.strip_prefix('#') {
            comment.push(format!("#{text}"));
        } else if let Some(name) = line.strip_suffix(':').filter(|n| !n.starts_with(' ')) {
            let entry = FunctionEntry {
                comment: std::mem::take(&mut comment),
                ..FunctionEntry::default()
            };
            entries.push((name.to_owned(), entry));
            block = None;
        } else if let Some(key) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':'))
            && !key.starts_with(' ')
        {
            assert!(
                key == "Environment" || key == "Statement",
                "{}: `{key}`: an entry holds only Environment and Statement",
                at()
            );
            block = Some(if key == "Environment" {
                "Environment"
            } else {
                "Statement"
            });
        } else if let Some(content) = line.strip_prefix("    ") {
            let (_, entry) = entries
                .last_mut()
                .unwrap_or_else(|| panic!("{}: not under a function", at()));
            match block {
                Some("Environment") => entry.environment.push(content.to_owned()),
                Some(_) => entry.statements.push(content.to_owned()),
                None => panic!("{}: not under Environment or Statement", at()),
            }
        } else {
            panic!("{}: not an entry's line: {line}", at());
        }
    }
    entries
}

const SECRET_KEY_STATEMENT: &str = "\
# The secret key behind links and sessions, read once per cold start.
- Effect: Allow
  Action: ssm:GetParameter
  Resource: !Sub \"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${SecretKeyParameterName}\"";

fn banner(title: &str) -> String {
    let rule = format!("  # {}\n", "-".repeat(75));
    format!("{rule}  # {title}\n{rule}")
}

fn function_resource(spec: &RouteSpec, entry: &FunctionEntry) -> String {
    let mut out = String::new();
    let mut line = |indent: usize, text: &str| {
        out.push_str(&" ".repeat(indent));
        out.push_str(text);
        out.push('\n');
    };
    for comment in &entry.comment {
        line(2, comment);
    }
    line(2, &format!("{:?}Function:", spec.route));
    line(4, "Type: AWS::Serverless::Function");
    line(4, "Metadata:");
    line(6, "SkipBuild: true");
    line(6, "BuildProperties:");
    line(8, &format!("Binary: {}", spec.function));
    line(4, "Properties:");
    line(6, &format!("CodeUri: ../target/lambda/{}/", spec.function));
    let reads_key = spec.secret_key == SecretKeyUse::Needed;
    if reads_key || !entry.environment.is_empty() {
        line(6, "Environment:");
        line(8, "Variables:");
        if reads_key {
            line(10, "SECRET_KEY_PARAMETER: !Ref SecretKeyParameterName");
        }
        for variable in &entry.environment {
            line(10, variable);
        }
    }
    line(6, "Events:");
    line(8, "Api:");
    line(10, "Type: HttpApi");
    line(10, "Properties:");
    line(12, "ApiId: !Ref HttpApi");
    line(12, &format!("Method: {}", spec.method));
    line(12, &format!("Path: {}", spec.path));
    if reads_key || !entry.statements.is_empty() {
        line(6, "Policies:");
        line(8, "- Version: \"2012-10-17\"");
        line(10, "Statement:");
        if reads_key {
            for statement in SECRET_KEY_STATEMENT.lines() {
                line(12, statement);
            }
        }
        for statement in &entry.statements {
            line(12, statement);
        }
    }
    out
}

/// The template's generated section: a banner per audience, then each route's function, in the
/// route table's order.
fn template_section(entries: &[(String, FunctionEntry)]) -> String {
    let mut out = format!(
        "{TEMPLATE_START}, one per route, from the route table\n  \
         # (shared/http/src/routes.rs) and infra/http-functions.yaml, by\n  \
         # `{REGENERATE}`.\n  \
         # Edit those two, not this section.\n\n"
    );
    let mut audience = None;
    for spec in ROUTES {
        if audience != Some(spec.audience) {
            audience = Some(spec.audience);
            out.push_str(&banner(match spec.audience {
                Audience::Photographer => {
                    "Photographer API (API-key auth: every handler does a GetItem on the key)"
                }
                Audience::Client => "Client API (clients and visitors): a link's token or a login session, no API key",
                Audience::Studio => "The photographer's studio: its page, and signing in through an emailed link",
                Audience::StudioSession => "The studio's session only (never an API key): the photographer's API keys",
            }));
        }
        let (_, entry) = entries
            .iter()
            .find(|(name, _)| name == spec.function)
            .unwrap_or_else(|| {
                panic!(
                    "infra/http-functions.yaml has no entry for {}: add its IAM statements \
                     (or `{}:` alone if it calls nothing in AWS)",
                    spec.function, spec.function
                )
            });
        out.push_str(&function_resource(spec, entry));
        out.push('\n');
    }
    out.push_str(TEMPLATE_END);
    out.push('\n');
    out
}

#[test]
fn the_templates_http_functions_are_the_route_tables() {
    let entries = function_entries(&read(&repo_file("infra/http-functions.yaml")));
    let routes: BTreeSet<&str> = ROUTES.iter().map(|spec| spec.function).collect();
    let mut seen = BTreeSet::new();
    for (name, _) in &entries {
        assert!(
            routes.contains(name.as_str()),
            "infra/http-functions.yaml has an entry for {name}, which no route in the route table \
             names"
        );
        assert!(
            seen.insert(name),
            "infra/http-functions.yaml names {name} twice"
        );
    }

    let template = read(&repo_file("infra/template.yaml"));
    let start = template
        .find(TEMPLATE_START)
        .unwrap_or_else(|| panic!("infra/template.yaml has no `{TEMPLATE_START}` line"));
    let end = template[start..]
        .find(TEMPLATE_END)
        .map(|at| start + at + TEMPLATE_END.len() + 1)
        .unwrap_or_else(|| panic!("infra/template.yaml has no `{TEMPLATE_END}` line"));
    let regenerated = format!(
        "{}{}{}",
        &template[..start],
        template_section(&entries),
        &template[end..]
    );
    committed_is("infra/template.yaml", &regenerated);
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI description
// ---------------------------------------------------------------------------------------------

#[test]
fn the_committed_openapi_document_is_the_generated_one() {
    committed_is("shared/http/openapi.json", &document_json());
}
