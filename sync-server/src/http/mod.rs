//! The ground floor of the web layer, below every area: the shared state ([`state`]), the extractors and
//! layers ([`extract`], [`headers`]), the server-rendered pages' frame ([`page`]) and the one HTTP error with the [`error::Refuse`] trait areas implement
//! ([`error`]). Nothing here names an area; the router that assembles areas is `crate::app`.

pub mod error;
pub mod extract;
pub mod headers;
pub mod page;
pub mod state;
