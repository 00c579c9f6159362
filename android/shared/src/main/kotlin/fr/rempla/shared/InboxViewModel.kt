package fr.rempla.shared

import fr.rempla.ffi.NotificationRecord
import fr.rempla.ffi.OfflineCalendarInterface
import fr.rempla.ffi.RemplaEvent

/** What the notifications screen and the badge show. */
data class InboxUiState(
    val items: List<NotificationRecord>,
    val unread: Long,
    val error: UiError? = null,
)

/**
 * The notifications inbox: unread first, a badge count, mark read. Refreshes itself on every
 * `NotificationsChanged` event (a push arrived, another screen marked one read). Call [close] when the
 * screen goes away.
 */
class InboxViewModel(
    private val calendar: OfflineCalendarInterface,
    events: RemplaEvents,
    private val limit: UInt = 200u,
) : AutoCloseable {
    val state = Observable(InboxUiState(emptyList(), 0))
    private val unsubscribe = events.subscribe { event ->
        if (event is RemplaEvent.NotificationsChanged) refresh()
    }

    init {
        refresh()
    }

    /** Reloads the list and the badge. */
    fun refresh() {
        state.set(
            try {
                InboxUiState(calendar.notifications(true, limit), calendar.unreadNotifications().toLong())
            } catch (e: Exception) {
                state.value.copy(error = UiError.of(e))
            },
        )
    }

    /** Marks one read (the event then refreshes the list). */
    fun markRead(id: String) {
        try {
            calendar.markNotificationRead(id)
        } catch (e: Exception) {
            state.set(state.value.copy(error = UiError.of(e)))
        }
    }

    override fun close() = unsubscribe()
}
