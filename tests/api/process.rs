//! Tests of the `ironfield` binary as an operator runs it: start-up faults, database outages,
//! a full disk, and the operations commands. Each starts the built binary as a child process
//! and asserts its exit code, its messages and what clients see over HTTP.

pub mod harness;

mod move_data;

mod commands;

mod outage;
mod startup;
mod storage;
mod upgrade;
mod webhooks;
