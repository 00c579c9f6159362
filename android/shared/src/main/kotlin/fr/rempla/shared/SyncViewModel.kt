package fr.rempla.shared

import fr.rempla.ffi.ConflictRecord
import fr.rempla.ffi.ConnectionState
import fr.rempla.ffi.OfflineCalendarInterface
import fr.rempla.ffi.RemplaEvent
import fr.rempla.ffi.SyncStateRecord
import fr.rempla.ffi.SyncSummary

/** Progress of the round running now. */
data class SyncProgress(val pushed: Long, val pending: Long, val pulled: Long)

/** What the sync banner and the conflicts sheet show. */
data class SyncUiState(
    /** Session, pending changes, last sync, connection, cursor, conflicts count (from the library). */
    val sync: SyncStateRecord?,
    /** A round is running. */
    val syncing: Boolean = false,
    /** Its progress, from `SyncProgress` events. */
    val progress: SyncProgress? = null,
    /** What the last round did. */
    val lastSummary: SyncSummary? = null,
    /** Refused changes to review (rolled back on this device), kept until dismissed. */
    val conflicts: List<ConflictRecord> = emptyList(),
    /** The last error (`offline`, `token_revoked`…). */
    val error: UiError? = null,
) {
    /** The banner's one line, French. */
    val banner: String
        get() = when {
            syncing -> "Synchronisation…"
            sync == null -> ""
            !sync.signedIn -> "Non connecté"
            sync.connection == ConnectionState.OFFLINE ->
                "Hors ligne : ${sync.pending} modification(s) en attente"
            sync.pending > 0uL -> "${sync.pending} modification(s) en attente"
            else -> "À jour"
        }
}

/**
 * The sync banner: runs a round on demand ([syncNow], blocking: call it from a background executor),
 * follows the library's `SyncProgress` and `SyncConflict` events, and lists the refused changes until the
 * user dismisses them. Call [close] when the screen goes away.
 */
class SyncViewModel(
    private val calendar: OfflineCalendarInterface,
    events: RemplaEvents,
) : AutoCloseable {
    val state = Observable(SyncUiState(null))
    private val unsubscribe = events.subscribe { event ->
        when (event) {
            is RemplaEvent.SyncProgress ->
                state.set(state.value.copy(progress = SyncProgress(event.pushed.toLong(), event.pending.toLong(), event.pulled.toLong())))
            is RemplaEvent.SyncConflict -> refresh()
            else -> Unit
        }
    }

    init {
        refresh()
    }

    /** Reloads the banner and the conflicts from the library. */
    fun refresh() {
        state.set(
            try {
                state.value.copy(sync = calendar.syncState(), conflicts = calendar.syncConflicts())
            } catch (e: Exception) {
                state.value.copy(error = UiError.of(e))
            },
        )
    }

    /** One round now; returns its summary, or null (the error is in the state: `offline`…). */
    fun syncNow(): SyncSummary? {
        state.set(state.value.copy(syncing = true, progress = null, error = null))
        val summary = try {
            calendar.syncNow()
        } catch (e: Exception) {
            state.set(state.value.copy(error = UiError.of(e)))
            null
        }
        state.set(state.value.copy(syncing = false, lastSummary = summary ?: state.value.lastSummary))
        refresh()
        return summary
    }

    /** The user has seen these conflicts. */
    fun dismiss(conflicts: List<ConflictRecord>) {
        try {
            calendar.dismissSyncConflicts(conflicts.map { it.opId })
        } catch (e: Exception) {
            state.set(state.value.copy(error = UiError.of(e)))
        }
        refresh()
    }

    override fun close() = unsubscribe()
}
