// The Compose shell: screens that call the `shared` view models. The native library is cross-compiled
// with cargo-ndk into src/main/jniLibs (task `cargoNdk`), JNA is the Android .aar.
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "fr.rempla.app"
    compileSdk = 35

    defaultConfig {
        applicationId = "fr.rempla.app"
        minSdk = 26 // java.time without desugaring
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        // The sync server; override with -PremplaServer=https://… (the emulator reaches the host at 10.0.2.2).
        val server = (project.findProperty("remplaServer") as String?) ?: "https://sync.rempla.fr"
        buildConfigField("String", "REMPLA_SERVER", "\"$server\"")
    }

    buildFeatures {
        compose = true
        buildConfig = true
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions { jvmTarget = "17" }
}

dependencies {
    implementation(project(":shared"))
    implementation("net.java.dev.jna:jna:5.15.0@aar")
    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.ui:ui")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("org.maplibre.gl:android-sdk:11.5.2")
    // Push: FCM on phones with Google services, UnifiedPush (Web Push encryption) elsewhere.
    implementation(platform("com.google.firebase:firebase-bom:33.7.0"))
    implementation("com.google.firebase:firebase-messaging")
    implementation("com.google.android.gms:play-services-base:18.5.0")
    implementation("org.unifiedpush.android:connector:3.0.10")
}

// FCM needs the project's google-services.json (not in the repository: each deployment has its own).
if (file("google-services.json").exists()) {
    apply(plugin = "com.google.gms.google-services")
}

// librempla_ffi.so for the phone ABIs (64-bit ARM phones, x86_64 emulators), with cargo-ndk
// (cargo install cargo-ndk; rustup target add aarch64-linux-android x86_64-linux-android; ANDROID_NDK_HOME set).
val repoRoot = rootDir.parentFile
val cargoNdk by tasks.registering(Exec::class) {
    workingDir = repoRoot
    commandLine(
        "cargo", "ndk",
        "-t", "arm64-v8a", "-t", "x86_64",
        "-o", "android/app/src/main/jniLibs",
        "build", "--release", "--locked", "-p", "rempla-ffi",
    )
}
tasks.named("preBuild") { dependsOn(cargoNdk) }
