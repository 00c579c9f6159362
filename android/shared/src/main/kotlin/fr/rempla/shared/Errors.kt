package fr.rempla.shared

import fr.rempla.ffi.RemplaException

/** The stable code of any Rempla error (`rpps_checksum`, `availability_booked`…), whatever its family. */
val RemplaException.code: String
    get() = when (this) {
        is RemplaException.Invalid -> code
        is RemplaException.NotFound -> code
        is RemplaException.Conflict -> code
        is RemplaException.Storage -> code
        is RemplaException.Sync -> code
        is RemplaException.Offline -> code
        is RemplaException.Auth -> code
        is RemplaException.Internal -> code
    }

/** The French message of any Rempla error, to show as is. */
val RemplaException.userMessage: String
    get() = when (this) {
        is RemplaException.Invalid -> reason
        is RemplaException.NotFound -> reason
        is RemplaException.Conflict -> reason
        is RemplaException.Storage -> reason
        is RemplaException.Sync -> reason
        is RemplaException.Offline -> reason
        is RemplaException.Auth -> reason
        is RemplaException.Internal -> reason
    }

/** An error as a screen shows it: the code (for tests and support) and the French message. */
data class UiError(val code: String, val message: String) {
    companion object {
        /** Converts a Rempla error; anything else is a bug and shown as such. */
        fun of(e: Throwable): UiError = when (e) {
            is RemplaException -> UiError(e.code, e.userMessage)
            else -> UiError("internal", "Erreur inattendue : ${e.message ?: e::class.simpleName}")
        }
    }
}
