//! The offline store on SQLite (being written).
