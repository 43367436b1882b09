//! Operator commands against a deployment (configured like the functions, from the environment).
//!
//! ```text
//! proofsheet-admin create-photographer --name "Anna Lee" --email anna@example.com --slug anna-lee [--email-sign-in-link yes]
//! proofsheet-admin new-secret-key
//! proofsheet-admin index-subgalleries --photographer <photographer id>
//! proofsheet-admin index-photo-orders --photographer <photographer id>
//! proofsheet-admin delete-photographer --photographer <photographer id>
//! proofsheet-admin render-again --photographer <photographer id>
//! ```

use std::collections::HashMap;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("create-photographer") => create_photographer(&args[1..]).await,
        Some("index-subgalleries") => index(&args[1..], Index::Subgalleries).await,
        Some("index-photo-orders") => index(&args[1..], Index::PhotoOrders).await,
        Some("delete-photographer") => delete_photographer(&args[1..]).await,
        Some("render-again") => render_again(&args[1..]).await,
        Some("new-secret-key") => {
            println!("{}", proofsheet_app::secrets::new_secret_key());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "usage:\n  proofsheet-admin create-photographer --name NAME --email EMAIL --slug SLUG [--email-sign-in-link yes]\n  proofsheet-admin new-secret-key\n  proofsheet-admin index-subgalleries --photographer ID\n  proofsheet-admin index-photo-orders --photographer ID\n  proofsheet-admin delete-photographer --photographer ID\n  proofsheet-admin render-again --photographer ID"
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
    let Some(app) = app_from_env().await else {
        return ExitCode::FAILURE;
    };
    match proofsheet_app::admin::create_photographer(&app, name, email, slug, None).await {
        Ok((photographer, key)) => {
            println!("photographer_id: {}", photographer.id);
            println!("api_key: {key}");
            eprintln!("The API key is shown once and stored only as a hash: keep it now.");
            if flags.contains_key("email-sign-in-link") {
                return email_first_link(&app, &photographer).await;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("could not create the photographer: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Emails the new photographer a link into the studio, at the deployment's PUBLIC_BASE_URL.
async fn email_first_link(
    app: &proofsheet_app::App,
    photographer: &proofsheet_store::PhotographerRecord,
) -> ExitCode {
    let Some(base) = app.config().public_base_url.clone() else {
        eprintln!("--email-sign-in-link needs PUBLIC_BASE_URL (the address of the studio)");
        return ExitCode::FAILURE;
    };
    match proofsheet_app::admin::email_sign_in_link(app, photographer, &base).await {
        Ok(()) => {
            eprintln!(
                "A sign-in link to {base}/studio was emailed to {}.",
                photographer.email
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("the photographer exists, but the sign-in email failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What an upgrade indexes for a photographer's existing data. Each is safe to run again.
#[derive(Clone, Copy)]
enum Index {
    /// Sub-galleries made before version 0.2 get their parent's pointer (what sub-gallery
    /// navigation and `GET /galleries/{id}` read).
    Subgalleries,
    /// Photos made ready before photo orders (issue 11) enter the order indexes, without which
    /// clients' views leave them out.
    PhotoOrders,
}

/// The photographer a command names with `--photographer ID`; else says why, and the usage
/// error's exit code.
fn photographer_arg(args: &[String]) -> Result<proofsheet_policy::PhotographerId, ExitCode> {
    let id = match args {
        [flag, id] if flag == "--photographer" => id,
        _ => {
            eprintln!("this command needs --photographer ID");
            return Err(ExitCode::from(2));
        }
    };
    proofsheet_policy::PhotographerId::parse(id).map_err(|_| {
        eprintln!("not a photographer id: {id}");
        ExitCode::from(2)
    })
}

async fn index(args: &[String], what: Index) -> ExitCode {
    let owner = match photographer_arg(args) {
        Ok(owner) => owner,
        Err(code) => return code,
    };
    let Some(app) = app_from_env().await else {
        return ExitCode::FAILURE;
    };
    let (indexed, label) = match what {
        Index::Subgalleries => (app.store().index_subgalleries(owner).await, "sub-galleries"),
        Index::PhotoOrders => (app.store().index_photo_orders(owner).await, "photos"),
    };
    match indexed {
        Ok(written) => {
            println!("{label} indexed: {written}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("could not index: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Queues every gallery of a photographer to be rendered again from its originals: after an
/// upgrade that adds a rendition (issue 24's grid sizes), their older photos get it.
async fn render_again(args: &[String]) -> ExitCode {
    let id = match photographer_arg(args) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let Some(app) = app_from_env().await else {
        return ExitCode::FAILURE;
    };
    match proofsheet_app::admin::render_again(&app, id).await {
        Ok(queued) => {
            println!("galleries queued to be rendered again: {queued}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("could not queue the galleries: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Deletes a photographer's account once their galleries and client logins are gone.
async fn delete_photographer(args: &[String]) -> ExitCode {
    let id = match photographer_arg(args) {
        Ok(id) => id,
        Err(code) => return code,
    };
    let Some(app) = app_from_env().await else {
        return ExitCode::FAILURE;
    };
    match proofsheet_app::admin::delete_photographer(&app, id).await {
        Ok(removed) => {
            println!("photographer deleted: {removed} items (sessions, keys, claims, profile)");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("could not delete the photographer: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The deployment's app, configured like the functions (no secret key); `None` (said) when the
/// environment doesn't name one.
async fn app_from_env() -> Option<proofsheet_app::App> {
    match proofsheet_app::App::from_env(proofsheet_app::SecretKeyUse::NotNeeded).await {
        Ok(app) => Some(app),
        Err(e) => {
            eprintln!("{e}");
            None
        }
    }
}
