//! Operator commands against a deployment (configured like the functions, from the environment).
//!
//! ```text
//! proofsheet-admin create-photographer --name "Anna Lee" --email anna@example.com --slug anna-lee
//! proofsheet-admin new-secret-key
//! ```

use std::collections::HashMap;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("create-photographer") => create_photographer(&args[1..]).await,
        Some("new-secret-key") => {
            println!("{}", proofsheet_app::secrets::new_secret_key());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "usage:\n  proofsheet-admin create-photographer --name NAME --email EMAIL --slug SLUG\n  proofsheet-admin new-secret-key"
            );
            ExitCode::from(2)
        }
    }
}

async fn create_photographer(args: &[String]) -> ExitCode {
    let flags: HashMap<&str, &str> = args
        .chunks(2)
        .filter_map(|pair| match pair {
            [flag, value] => Some((flag.trim_start_matches("--"), value.as_str())),
            _ => None,
        })
        .collect();
    let (Some(name), Some(email), Some(slug)) =
        (flags.get("name"), flags.get("email"), flags.get("slug"))
    else {
        eprintln!("create-photographer needs --name, --email and --slug");
        return ExitCode::from(2);
    };
    let app = match proofsheet_app::App::from_env(proofsheet_app::SecretKeyUse::NotNeeded).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match proofsheet_app::admin::create_photographer(&app, name, email, slug, None).await {
        Ok((photographer, key)) => {
            println!("photographer_id: {}", photographer.id);
            println!("api_key: {key}");
            eprintln!("The API key is shown once and stored only as a hash: keep it now.");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("could not create the photographer: {e}");
            ExitCode::FAILURE
        }
    }
}
