package fr.rempla.shared

import fr.rempla.ffi.ExportResult
import fr.rempla.ffi.OfflineCalendarInterface
import fr.rempla.ffi.PushKind
import fr.rempla.ffi.PushTargetRecord
import fr.rempla.ffi.WebPushKeys
import java.io.File

/** What the privacy settings show. */
data class PrivacyUiState(
    /** The account's push targets (every device). */
    val targets: List<PushTargetRecord> = emptyList(),
    /** The last export written. */
    val export: ExportResult? = null,
    val busy: Boolean = false,
    /** The account was closed: the app goes back to the sign-in screen. */
    val closed: Boolean = false,
    val error: UiError? = null,
) {
    /** Whether this device receives push notifications. */
    val pushOnThisDevice: Boolean get() = targets.any { it.thisDevice }
}

/**
 * Privacy settings: export my data to a file (then shared by the app), and this device's push
 * registration — FCM or APNs tokens, UnifiedPush endpoints as Web Push — with a switch to turn it off.
 * Every call blocks on the network: call them from a background executor. Account deletion is
 * [closeAccount], after the user typed the password again.
 */
class PrivacyViewModel(private val calendar: OfflineCalendarInterface) {
    val state = Observable(PrivacyUiState())

    private fun <T> run(block: () -> T): T? {
        state.set(state.value.copy(busy = true, error = null))
        return try {
            block().also { state.set(state.value.copy(busy = false)) }
        } catch (e: Exception) {
            state.set(state.value.copy(busy = false, error = UiError.of(e)))
            null
        }
    }

    /** Reloads the push targets. */
    fun refreshTargets() {
        run { calendar.pushTargets() }?.let { state.set(state.value.copy(targets = it)) }
    }

    /** Downloads the export ZIP to [file] (written atomically); true when written. */
    fun export(file: File): Boolean {
        val result = run { calendar.exportMyData(file.absolutePath) } ?: return false
        state.set(state.value.copy(export = result))
        return true
    }

    /** Registers an FCM registration token (from `FirebaseMessagingService.onNewToken`). */
    fun registerFcm(token: String): Boolean = register(PushKind.FCM, token, null)

    /** Registers an APNs device token (hex, from `didRegisterForRemoteNotificationsWithDeviceToken`). */
    fun registerApns(tokenHex: String): Boolean = register(PushKind.APNS, tokenHex, null)

    /** Registers a UnifiedPush endpoint with the keys its connector generated (Web Push encryption). */
    fun registerUnifiedPush(endpoint: String, p256dh: String, auth: String): Boolean =
        register(PushKind.UNIFIED_PUSH, endpoint, WebPushKeys(p256dh, auth))

    private fun register(kind: PushKind, address: String, keys: WebPushKeys?): Boolean {
        run { calendar.registerPushTarget(kind, address, keys) } ?: return false
        refreshTargets()
        return state.value.error == null
    }

    /** The switch "notifications on this phone" turned off: removes this device's targets. */
    fun disablePushOnThisDevice(): Boolean {
        val mine = state.value.targets.filter { it.thisDevice }
        for (t in mine) run { calendar.unregisterPushTarget(t.id) } ?: return false
        refreshTargets()
        return state.value.error == null
    }

    /** Closes the account for good after the user typed the password again; true when closed. */
    fun closeAccount(password: String): Boolean {
        run { calendar.closeAccount(password) } ?: return false
        state.set(state.value.copy(closed = true, targets = emptyList()))
        return true
    }

    companion object {
        /** Hex text of an APNs device token (as the server wants it). */
        fun hex(token: ByteArray): String = token.joinToString("") { "%02x".format(it) }
    }
}
