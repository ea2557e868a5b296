//! `hfs image PROMPT [--space S | --model ID] [--image FILE]`: text-to-image, or image-to-image
//! with `--image`.

use hfs_generate::GenTask;

use super::generate::{self, Input};
use crate::cli::{GlobalArgs, ImageArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &ImageArgs) -> Result<(), CliError> {
    let input = Input { task: GenTask::Image, prompt: args.prompt.clone(), image: args.image.clone(), audio: None };
    generate::run(global, p, &args.generation, &args.run, &args.batch, &args.out.output_dir, input).await
}
