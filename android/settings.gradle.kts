// Rempla Android: `shared` (pure Kotlin view models over the generated bindings, tested on the JVM) and
// `app` (the Compose shell). Needs the Android SDK; see the README section "Android".
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "rempla-android"
include(":shared", ":app")
