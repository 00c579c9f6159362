package fr.rempla.shared

import fr.rempla.ffi.OfflineCalendarInterface
import fr.rempla.ffi.SessionInfo
import fr.rempla.ffi.SignUpInput
import fr.rempla.ffi.TermsRecord

/** What the onboarding, sign-up and sign-in screens show. */
data class SessionUiState(
    /** The server the app talks to. */
    val server: String,
    /** The session, once signed in. */
    val session: SessionInfo? = null,
    /** The terms to show when the server says they must be accepted first. */
    val termsToAccept: TermsRecord? = null,
    /** After a sign-up: the account waits for its activation link. */
    val awaitingActivation: Boolean = false,
    /** A network call is running (show a spinner, disable the buttons). */
    val busy: Boolean = false,
    /** The last error (`invalid_credentials`, `account_not_activated`, `rpps_checksum`, `offline`…). */
    val error: UiError? = null,
)

/**
 * Sign-up, activation, sign-in (with the terms when required) and sign-out over the calendar's session.
 * Every action does network I/O and blocks: the app calls them from a background executor, and the
 * screen observes [state]. Each returns whether it succeeded.
 */
class SessionViewModel(
    private val calendar: OfflineCalendarInterface,
    server: String,
    private val deviceName: String,
    private val platform: String,
) {
    val state = Observable(SessionUiState(server))

    private inline fun <T> call(action: () -> T): T? {
        state.set(state.value.copy(busy = true, error = null))
        return try {
            action().also { state.set(state.value.copy(busy = false)) }
        } catch (e: Exception) {
            state.set(state.value.copy(busy = false, error = UiError.of(e)))
            null
        }
    }

    /** Creates a doctor account; on success the screen says "check your e-mail". */
    fun signUp(input: SignUpInput): Boolean =
        call { calendar.signUpDoctor(state.value.server, input) }
            ?.also { state.set(state.value.copy(awaitingActivation = true)) } != null

    /** Activates the account with the token of the e-mail's link (deep link into the app). */
    fun activate(token: String): Boolean =
        call { calendar.activateAccount(state.value.server, token) }
            ?.also { state.set(state.value.copy(awaitingActivation = false)) } != null

    /**
     * Signs in. When the account must first accept the current terms, the first call fails with
     * `terms_not_accepted` and fills [SessionUiState.termsToAccept]; once the user has read them, call
     * again with [acceptTerms] set.
     */
    fun signIn(email: String, password: String, acceptTerms: Boolean = false): Boolean {
        val session = call { calendar.login(state.value.server, email, password, deviceName, platform, acceptTerms) }
        if (session != null) {
            state.set(state.value.copy(session = session, termsToAccept = null))
            return true
        }
        if (state.value.error?.code == "terms_not_accepted") {
            val terms = try { calendar.currentTerms(state.value.server) } catch (e: Exception) { null }
            state.set(state.value.copy(termsToAccept = terms))
        }
        return false
    }

    /** Signs out (the calendar and its pending changes stay on the device). */
    fun signOut(): Boolean =
        call { calendar.logout() }?.also { state.set(state.value.copy(session = null)) } != null
}
