package fr.rempla.shared

import fr.rempla.ffi.MissionDetails
import fr.rempla.ffi.MissionRecord
import fr.rempla.ffi.OfflineCalendarInterface
import fr.rempla.ffi.RemplaEvent
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.util.Locale

/** What the missions list and the mission screen show. */
data class MissionsUiState(
    val missions: List<MissionRecord> = emptyList(),
    /** The mission opened, with its contacts when the server could be reached. */
    val selected: MissionDetails? = null,
    /** A French line under the contacts when they could not be read ("Coordonnées indisponibles hors ligne"). */
    val contactsNote: String? = null,
    val error: UiError? = null,
)

/**
 * The doctor's missions (offline, as synced) and one mission's details: [open] reads the contacts from
 * the server (blocking, audited there; call it from a background executor), offline it shows the synced
 * mission and says why the contacts are missing. Refreshes on every `MissionsChanged` event.
 */
class MissionsViewModel(
    private val calendar: OfflineCalendarInterface,
    events: RemplaEvents,
) : AutoCloseable {
    val state = Observable(MissionsUiState())
    private val unsubscribe = events.subscribe { event ->
        if (event is RemplaEvent.MissionsChanged) refresh()
    }

    init {
        refresh()
    }

    /** Reloads the list. */
    fun refresh() {
        state.set(
            try {
                state.value.copy(missions = calendar.missions(), error = null)
            } catch (e: Exception) {
                state.value.copy(error = UiError.of(e))
            },
        )
    }

    /** Opens one mission with its contacts. */
    fun open(id: String) {
        state.set(
            try {
                val details = calendar.mission(id)
                val note = when (details.contactsError) {
                    null -> null
                    "offline", "server_unavailable" -> "Coordonnées indisponibles hors ligne : réessayez une fois connecté."
                    else -> "Coordonnées indisponibles (${details.contactsError})."
                }
                state.value.copy(selected = details, contactsNote = note, error = null)
            } catch (e: Exception) {
                state.value.copy(error = UiError.of(e))
            },
        )
    }

    /** Closes the mission screen. */
    fun back() = state.set(state.value.copy(selected = null, contactsNote = null))

    override fun close() = unsubscribe()

    companion object {
        private val day = DateTimeFormatter.ofPattern("EEE d MMM yyyy, HH:mm", Locale.FRANCE)

        /** "lun. 1 mars 2027, 08:00 → mar. 2 mars 2027, 08:00" in the mission's zone. */
        fun period(m: MissionRecord): String {
            val zone = ZoneId.of(m.zone)
            return "${day.format(Instant.parse(m.startsAt).atZone(zone))} → ${day.format(Instant.parse(m.endsAt).atZone(zone))}"
        }
    }
}
