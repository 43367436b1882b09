//! Names each file of `assets/` after a hash of its bytes (`app.css` → `/static/app.3f9a0c1b2d4e.css`)
//! and embeds it, so pages can tell browsers to cache assets for good: a changed file is a new
//! name. Writes `$OUT_DIR/assets.rs`: one `&str` constant per file (`APP_CSS`) and the table
//! the static route serves from.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

use sha2::{Digest, Sha256};

fn main() {
    // Read when the script runs, not when it was compiled: a build script compiled for one
    // checkout may be reused for another that shares the target directory.
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("assets");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("shared/http/assets")
        .map(|entry| entry.expect("an asset").path())
        .collect();
    files.sort();
    let mut constants = String::new();
    let mut table = String::from("pub static FILES: &[Asset] = &[\n");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = fs::read(&path).expect("an asset's bytes");
        let hash = hex::encode(&Sha256::digest(&bytes)[..6]);
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("a name");
        let extension = path
            .extension()
            .and_then(|s| s.to_str())
            .expect("an extension");
        let content_type = match extension {
            "css" => "text/css; charset=utf-8",
            "js" => "text/javascript; charset=utf-8",
            "svg" => "image/svg+xml",
            "woff2" => "font/woff2",
            other => panic!("no content type for .{other} assets"),
        };
        let name = format!("{stem}.{hash}.{extension}");
        let constant = format!("{stem}_{extension}")
            .to_uppercase()
            .replace('-', "_");
        writeln!(
            constants,
            "pub const {constant}: &str = \"/static/{name}\";"
        )
        .unwrap();
        writeln!(
            table,
            "    Asset {{ name: \"{name}\", content_type: \"{content_type}\", bytes: include_bytes!({path:?}) }},"
        )
        .unwrap();
    }
    table.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("assets.rs");
    fs::write(out, constants + &table).expect("assets.rs");
}
