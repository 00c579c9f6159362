//! `rempla`: the headless Rempla client (being written).

fn main() {}
