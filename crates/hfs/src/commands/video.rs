//! `hfs video PROMPT [--space S | --model ID] [--image FILE]`: text-to-video, or image-to-video
//! from a first frame with `--image`.

use hfs_generate::GenTask;

use super::generate::{self, Input};
use crate::cli::{GlobalArgs, VideoArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &VideoArgs) -> Result<(), CliError> {
    let input = Input { task: GenTask::Video, prompt: args.prompt.clone(), image: args.image.clone(), audio: None };
    generate::run(global, p, &args.generation, &args.run, &args.batch, &args.out.output_dir, input).await
}
