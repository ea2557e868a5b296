//! `hfs transcribe AUDIO [--space S | --model ID]`: speech recognition; the text goes to stdout.

use hfs_generate::GenTask;

use super::generate::{self, Input};
use crate::cli::{GlobalArgs, TranscribeArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &TranscribeArgs) -> Result<(), CliError> {
    let input = Input { task: GenTask::Transcribe, prompt: None, image: None, audio: args.audio.clone() };
    generate::run(global, p, &args.generation, &args.run, &args.batch, &args.output_dir, input).await
}
