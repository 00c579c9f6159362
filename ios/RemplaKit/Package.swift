// swift-tools-version:5.9
// RemplaKit: the generated Swift bindings of rempla-ffi (module `RemplaFFI`) over the static library,
// packaged as an XCFramework (binary target `RemplaFFIFFI`: the C header and module map uniffi generates).
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
            exclude: ["RemplaFFIFFI.h", "RemplaFFIFFI.modulemap"],
            sources: ["RemplaFFI.swift"]
        ),
    ]
)
