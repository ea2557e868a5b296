//! hfs-inference against the real `hfs-fakehub`: recorded cassettes replayed byte for byte,
//! errors, retries and (as the fake gains them) the synthesised provider flows.

mod cassettes;
mod errors;
mod flows;
mod media;
mod replay;
mod support;
