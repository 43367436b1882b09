//! The deployment's rehearsal: every function's real binary, started as Lambda starts it under
//! cargo-lambda's Runtime API emulator, lives through a whole day of API Gateway, SQS and
//! scheduler events against the local AWS emulator; the same day runs through the local
//! server beside it, and every answer must be the same. Run by `scripts/rehearse` (which builds
//! the binaries and starts both emulators):
//!
//! `rehearse <binaries dir> <report.md>` with `AWS_ENDPOINT_URL` (moto) and `LAMBDA_EMULATOR`
//! (cargo lambda watch --only-lambda-apis) set.

mod compare;
mod day;
mod lambda;
mod template;
mod worlds;

use std::path::PathBuf;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(binaries), Some(report)) = (args.next(), args.next()) else {
        eprintln!("usage: rehearse <binaries dir> <report.md> (run by scripts/rehearse)");
        return ExitCode::from(2);
    };
    let emulator = std::env::var("LAMBDA_EMULATOR")
        .expect("LAMBDA_EMULATOR: the Lambda Runtime API emulator (scripts/rehearse starts it)");
    let mut rehearsal = worlds::Rehearsal::start(PathBuf::from(binaries), emulator).await;
    day::live(&mut rehearsal).await;
    let (table, passed) = rehearsal.report();
    std::fs::write(&report, &table).expect("write the report");
    println!("{table}");
    if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
