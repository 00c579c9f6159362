// swift-tools-version:5.9
// RemplaKit: the generated Swift bindings of rempla-ffi (module `RemplaFFI`) over the static library,
// packaged as an XCFramework (binary target `RemplaFFIFFI`: the C headers and module maps uniffi generates).
// Two uniffi components are generated: rempla-ffi (`RemplaFFI.swift`, C module `RemplaFFIFFI`) and
// rempla-core, whose enums cross with their own derive (`RemplaCore.swift`, header `RemplaCoreFFI.h` in
// the same C module); both Swift files are compiled into the one module `RemplaFFI`, so apps see the
// same names as before.
// Build the pieces first on a Mac: `bash ios/build-xcframework.sh` (see README, section iOS).
import PackageDescription

let package = Package(
    name: "RemplaKit",
    platforms: [.iOS(.v16), .macOS(.v13)],
    products: [
        .library(name: "RemplaFFI", targets: ["RemplaFFI"]),
    ],
    targets: [
        .binaryTarget(name: "RemplaFFIFFI", path: "RemplaFFIFFI.xcframework"),
        .target(
            name: "RemplaFFI",
            dependencies: ["RemplaFFIFFI"],
            path: "Generated",
            exclude: ["RemplaFFIFFI.h", "RemplaFFIFFI.modulemap", "RemplaCoreFFI.h"],
            sources: ["RemplaFFI.swift", "RemplaCore.swift"]
        ),
    ]
)
