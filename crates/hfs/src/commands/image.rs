//! `hfs image PROMPT --model ID [--image FILE]`: text-to-image, or image-to-image with `--image`.

use hfs_inference::Task;

use super::infer::media;
use crate::cli::{GlobalArgs, ImageArgs};
use crate::exit::CliError;
use crate::printer::Printer;

pub async fn run(global: &GlobalArgs, p: &Printer, args: &ImageArgs) -> Result<(), CliError> {
    let task = if args.image.is_some() { Task::ImageToImage } else { Task::TextToImage };
    media(global, p, &args.run, &args.out.output_dir, task, &args.prompt, args.image.as_deref()).await
}
