// Core's own enums, seen under the names they always had in `fr.rempla.ffi`.
//
// rempla-core derives their uniffi shape itself (its `uniffi` feature), so the generator writes them to
// core's component file, in package `fr.rempla.ffi.core` (core/uniffi.toml): two components' files cannot
// share a package, as each declares the same runtime helpers (RustBuffer, UniffiLib…). These aliases keep
// `import fr.rempla.ffi.ShiftKind` and `ShiftKind.NIGHT` working; a new core enum crossing the boundary
// gets its line here.
package fr.rempla.ffi

typealias ShiftKind = fr.rempla.ffi.core.ShiftKind
typealias AvailabilityStatus = fr.rempla.ffi.core.AvailabilityStatus
typealias ProposalState = fr.rempla.ffi.core.ProposalState
