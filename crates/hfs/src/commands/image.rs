//! `hfs image PROMPT --model ID [--image FILE]`: text-to-image, or image-to-image with `--image`.

use super::infer::{Media, finish, media};
use crate::cli::{GlobalArgs, ImageArgs};
use crate::exit::CliError;

pub async fn run(global: &GlobalArgs, args: &ImageArgs) -> Result<(), CliError> {
    let task = if args.image.is_some() { Media::ImageToImage } else { Media::TextToImage };
    let r = media(global, &args.run, &args.out.output_dir, "hfs.image/1", task, &args.prompt, args.image.as_deref()).await;
    finish(r, args.run.json, args.run.model.as_deref())
}
