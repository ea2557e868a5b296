//! `hfs speech TEXT [--space S | --model ID]`: text-to-speech, saved as an audio file.

use hfs_generate::GenTask;

use super::generate::{self, Input};
use crate::cli::{GlobalArgs, SpeechArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &SpeechArgs) -> Result<(), CliError> {
    let input = Input { task: GenTask::Speech, prompt: args.text.clone(), image: None, audio: None };
    generate::run(global, p, &args.generation, &args.run, &args.batch, &args.out.output_dir, input).await
}
