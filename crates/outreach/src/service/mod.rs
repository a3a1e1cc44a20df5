//! The campaign services: [`campaigns`] (writing, previewing, scheduling,
//! cancelling, counts) and [`sending`] (what the jobs do).

pub mod campaigns;
pub mod sending;
