//! The subcommands of the `gateway` binary.

pub mod dev_token;
pub mod migrate;
pub mod seed;
pub mod serve;
pub mod worker;
