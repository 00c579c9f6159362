package fr.rempla.shared

import fr.rempla.ffi.MapBounds
import fr.rempla.ffi.MapCluster
import fr.rempla.ffi.OfflineCalendarInterface
import fr.rempla.ffi.RemplaEvent
import fr.rempla.ffi.RequestMatch
import java.time.Clock
import java.time.Duration
import java.time.Instant

/** The requests screen: the list of requests the calendar fits, and the map's bubbles. */
data class RequestsUiState(
    /** Best first (score out of 1,000, French explanations). */
    val nearMe: List<RequestMatch> = emptyList(),
    /** Bubbles (or pins) of the visible map. */
    val clusters: List<MapCluster> = emptyList(),
    val error: UiError? = null,
)

/**
 * Requests near me over the next [horizon], offline (the requests cached by the last sync, the doctor's
 * calendar, core's matching), and the map's clusters for the visible box. Refreshes the list after each
 * sync round (a `SyncProgress` of the pull brings new requests). Call [close] when the screen goes away.
 */
class RequestsViewModel(
    private val calendar: OfflineCalendarInterface,
    events: RemplaEvents,
    private val horizon: Duration = Duration.ofDays(120),
    private val clock: Clock = Clock.systemUTC(),
) : AutoCloseable {
    val state = Observable(RequestsUiState())
    private var lastBox: Pair<MapBounds, UByte>? = null
    private val unsubscribe = events.subscribe { event ->
        if (event is RemplaEvent.SyncProgress && event.pulled > 0uL) refresh()
    }

    /** Recomputes the list (and the map, if shown). */
    fun refresh() {
        val now = Instant.now(clock)
        state.set(
            try {
                state.value.copy(nearMe = calendar.requestsNearMe(now.toString(), now.plus(horizon).toString()), error = null)
            } catch (e: Exception) {
                state.value.copy(error = UiError.of(e))
            },
        )
        lastBox?.let { (box, zoom) -> showMap(box, zoom) }
    }

    /** The map moved: bubbles for the visible box at this zoom. */
    fun showMap(box: MapBounds, zoom: UByte) {
        lastBox = box to zoom
        state.set(
            try {
                state.value.copy(clusters = calendar.mapClusters(box, zoom))
            } catch (e: Exception) {
                state.value.copy(error = UiError.of(e))
            },
        )
    }

    override fun close() = unsubscribe()
}
